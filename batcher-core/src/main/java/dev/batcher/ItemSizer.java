package dev.batcher;

/**
 * Tells the size of an item in bytes (luci's {@code ItemSizeFunc}), for the {@code maxBatchBytes} and
 * {@code bufferMaxBytes} limits. Called once per item, on the producer's thread, before the item is buffered.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface ItemSizer<T> {

    /**
     * Sizes an item.
     *
     * @param item the item, never {@code null}
     * @return its size in bytes; a negative size, or one larger than {@code maxBatchBytes}, rejects the item
     */
    long sizeOf(T item);
}
