package dev.batcher.sample;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of {@code POST /events}, bound from {@code sample.events.*}.
 *
 * @param maxRequestBytes the largest request body accepted, such as {@code 1MB} or {@code 65536} (bytes); a body
 *     whose {@code Content-Length} is larger is refused with {@code 413} before any of it is read, and a body without
 *     one (chunked) as soon as one byte more has arrived
 * @param maxPerRequest the most events one request (a JSON array) may carry; more get {@code 413}
 */
@ConfigurationProperties("sample.events")
public record EventsProperties(
        @DefaultValue("1MB") DataSize maxRequestBytes,
        @DefaultValue("10000") int maxPerRequest) {

    /** The largest value {@code sample.events.max-request-bytes} may take: the body is held in one byte array. */
    public static final DataSize MAX_REQUEST_BYTES_LIMIT = DataSize.ofMegabytes(100);

    /** Checks the values, naming the property that is wrong. */
    public EventsProperties {
        if (maxRequestBytes.toBytes() < 1 || maxRequestBytes.compareTo(MAX_REQUEST_BYTES_LIMIT) > 0) {
            throw new IllegalArgumentException("sample.events.max-request-bytes must be between 1B and "
                    + MAX_REQUEST_BYTES_LIMIT + ", got " + maxRequestBytes);
        }
        if (maxPerRequest < 1) {
            throw new IllegalArgumentException("sample.events.max-per-request must be at least 1, got "
                    + maxPerRequest);
        }
    }
}
