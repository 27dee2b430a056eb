package dev.batcher;

import java.time.Duration;

/**
 * How much a buffer holds and what a submit does when it is full. Items count from the submit until their outcome
 * is decided: waiting, being sent and waiting for a retry.
 *
 * @param maxItems {@code buffer.max-items}: items held at most
 * @param maxBytes {@code buffer.max-bytes}: bytes held at most (with an item sizer); {@link BatchLimits#UNLIMITED}
 *     for no byte limit
 * @param fullBehavior {@code buffer.full-behavior}: block, drop the oldest batch, or reject
 * @param blockTimeout {@code buffer.block-timeout}: how long a blocked submit waits for room
 */
public record BufferLimits(int maxItems, long maxBytes, FullBehavior fullBehavior, Duration blockTimeout) {

    /** 10,000 items, no byte limit, block up to 10 s. */
    public static final BufferLimits DEFAULTS =
            new BufferLimits(10_000, BatchLimits.UNLIMITED, FullBehavior.BLOCK, Duration.ofSeconds(10));

    /** Validates the limits. */
    public BufferLimits {
        Options.check(maxItems >= 1, "buffer.max-items", maxItems, "must be at least 1");
        Options.limit(maxBytes, "buffer.max-bytes");
        Options.check(fullBehavior != null, "buffer.full-behavior", null, "must be one of block, drop-oldest, reject");
        Options.notNegative(blockTimeout, "buffer.block-timeout");
    }

    /** A copy with another {@link #maxItems()}. */
    public BufferLimits withMaxItems(int value) {
        return new BufferLimits(value, maxBytes, fullBehavior, blockTimeout);
    }

    /** A copy with another {@link #maxBytes()}. */
    public BufferLimits withMaxBytes(long value) {
        return new BufferLimits(maxItems, value, fullBehavior, blockTimeout);
    }

    /** A copy with another {@link #fullBehavior()}. */
    public BufferLimits withFullBehavior(FullBehavior value) {
        return new BufferLimits(maxItems, maxBytes, value, blockTimeout);
    }

    /** A copy with another {@link #blockTimeout()}. */
    public BufferLimits withBlockTimeout(Duration value) {
        return new BufferLimits(maxItems, maxBytes, fullBehavior, value);
    }
}
