package dev.batcher.sample;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the in-app downstream API ({@link DownstreamApi}), bound from {@code sample.downstream.*}.
 *
 * @param capacityPerSecond the cost units per second the API allows (a Bucket4j bucket of this size, refilled at
 *     this rate); beyond it the API answers 429. {@code batcher.batchers.downstream.capacity} is set to the same value
 *     in application.yml
 */
@ConfigurationProperties("sample.downstream")
public record DownstreamProperties(@DefaultValue("250") long capacityPerSecond) {

    /** Checks the value, naming the property that is wrong. */
    public DownstreamProperties {
        if (capacityPerSecond < 1) {
            throw new IllegalArgumentException("sample.downstream.capacity-per-second must be at least 1, got "
                    + capacityPerSecond);
        }
    }
}
