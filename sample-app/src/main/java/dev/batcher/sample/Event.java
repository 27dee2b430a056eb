package dev.batcher.sample;

import java.time.Instant;
import java.util.Objects;

/**
 * One event as stored in table {@code events}.
 *
 * @param type what happened, such as {@code click}; not blank
 * @param payload free text, may be {@code null}
 * @param createdAt when the app accepted the event (not when the batch holding it was written)
 */
public record Event(String type, String payload, Instant createdAt) {

    /** Longest accepted {@code type}, the column's width. */
    public static final int MAX_TYPE_LENGTH = 100;

    /** Longest accepted {@code payload}, the column's width. */
    public static final int MAX_PAYLOAD_LENGTH = 10_000;

    /** Checks the fields; the HTTP layer reports the same rules to clients with friendlier messages. */
    public Event {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(createdAt, "createdAt");
        if (type.isBlank() || type.length() > MAX_TYPE_LENGTH) {
            throw new IllegalArgumentException(
                    "type must be 1 to " + MAX_TYPE_LENGTH + " characters and not blank, got '" + type + "'");
        }
        if (payload != null && payload.length() > MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException(
                    "payload must be at most " + MAX_PAYLOAD_LENGTH + " characters, got " + payload.length());
        }
    }
}
