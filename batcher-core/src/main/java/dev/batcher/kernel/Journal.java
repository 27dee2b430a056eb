package dev.batcher.kernel;

/**
 * Where a kernel writes what it accepts, so that a crash loses none of it: the hooks of a durable buffer. The kernel
 * {@linkplain #tryAppend appends} an item before it admits it (on the producer's thread, so the caller hears
 * "accepted" only once the journal has the item), and {@linkplain #ack acknowledges} its position once its outcome is
 * final: sent, or dropped for good. An item dropped because the engine stopped ({@code shutdown} or
 * {@code cancelled}) is not acknowledged: it stays in the journal and the engine replays it on its next start, through
 * {@link Kernel#admitReplayed}.
 *
 * <p>Implementations are thread-safe: producers append concurrently; acks come from the kernel under its lock, so they
 * must be quick and never block on I/O for long.
 *
 * @param <T> the item type
 */
public interface Journal<T> {

    /** What {@link #tryAppend} returns when the journal is full (its disk limit is reached). */
    long FULL = -1;

    /**
     * Writes an item and returns its position once the journal's durability policy holds for it (for example, once it
     * is on disk with fsync {@code always}).
     *
     * @param item the item
     * @return its position (not negative), or {@link #FULL} when there is no room now
     * @throws RuntimeException when the item cannot be written (an I/O failure); the item is then refused
     */
    long tryAppend(T item);

    /**
     * The items at these positions have a final outcome; their records may be reclaimed.
     *
     * @param positions the positions
     * @param count how many of {@code positions}, from the start, to acknowledge
     */
    void ack(long[] positions, int count);
}
