package dev.batcher;

import java.time.Duration;

/**
 * When a batch is cut: by item count, by bytes (with an item sizer) and by age, whichever comes first. Shared by the
 * engines that cut batches by size and age.
 *
 * @param maxItems {@code max-batch-items} (luci BatchItemsMax): a batch is cut when it holds this many items;
 *     {@link #UNLIMITED} cuts by bytes and age only
 * @param maxBytes {@code max-batch-bytes} (luci BatchSizeMax): a batch is cut before it would exceed this size;
 *     {@link #UNLIMITED} for no byte limit
 * @param maxAge {@code max-batch-age} (luci BatchAgeMax): a partly filled batch is cut this long after it was opened
 */
public record BatchLimits(int maxItems, long maxBytes, Duration maxAge) {

    /** The value of a limit that does not apply. */
    public static final int UNLIMITED = -1;

    /** 100 items, no byte limit, 100 ms. */
    public static final BatchLimits DEFAULTS = new BatchLimits(100, UNLIMITED, Duration.ofMillis(100));

    /** Validates the limits. */
    public BatchLimits {
        Options.limit(maxItems, "max-batch-items");
        Options.limit(maxBytes, "max-batch-bytes");
        Options.positive(maxAge, "max-batch-age", "100ms");
    }

    /** A copy with another {@link #maxItems()}. */
    public BatchLimits withMaxItems(int value) {
        return new BatchLimits(value, maxBytes, maxAge);
    }

    /** A copy with another {@link #maxBytes()}. */
    public BatchLimits withMaxBytes(long value) {
        return new BatchLimits(maxItems, value, maxAge);
    }

    /** A copy with another {@link #maxAge()}. */
    public BatchLimits withMaxAge(Duration value) {
        return new BatchLimits(maxItems, maxBytes, value);
    }

    /** Whether a batch of this size must be cut now. */
    public boolean isFull(int items, long bytes) {
        return (maxItems != UNLIMITED && items >= maxItems) || (maxBytes != UNLIMITED && bytes >= maxBytes);
    }

    /** Whether an item of {@code itemBytes} no longer fits a batch that holds {@code bytes}. */
    public boolean overflows(long bytes, long itemBytes) {
        return maxBytes != UNLIMITED && bytes > 0 && bytes + itemBytes > maxBytes;
    }
}
