package dev.batcher;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A group of items handed to a {@link BatchSender} in one call.
 *
 * <p>A batch is immutable from the sender's point of view. When a send fails and is retried, the same batch, with
 * the same items in the same order, is handed to the sender again with {@link #attempt()} increased.
 *
 * @param <T> the item type
 */
public interface Batch<T> {

    /** The items, in the order they were submitted. Empty only for a heartbeat batch (see {@link #isHeartbeat()}). */
    List<T> items();

    /** Number of items, same as {@code items().size()}. */
    int size();

    /** Sum of the item sizes reported by the configured {@link ItemSizer}, or 0 when no sizer is set. */
    long bytes();

    /** The ordering key shared by every item of this batch with {@link Ordering#PER_KEY}; {@code null} otherwise. */
    Object key();

    /**
     * When this attempt will be abandoned for running past {@code send-timeout}: a sink that cannot be interrupted
     * (JDBC, plain sockets) should set its own timeouts from it, for example {@code Statement.setQueryTimeout}.
     */
    Instant deadline();

    /** The time left before {@link #deadline()}, never negative. */
    default Duration timeLeft() {
        Duration left = Duration.between(Instant.now(), deadline());
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Which attempt this is: 1 for the first send, 2 for the first retry, and so on. */
    int attempt();

    /** {@code true} for the empty batches sent to keep a minimum send rate (see {@code minBatchesPerSecond}); they are never retried. */
    default boolean isHeartbeat() {
        return size() == 0;
    }

    /**
     * The items' ids in the dispatcher's durable buffer, in the order of {@link #items()}: each is unique within the
     * buffer's directory and stays the same when the item is replayed after a crash, so a sink that must not store an
     * item twice (a batch in flight at the crash is sent again) can deduplicate on it, for example with
     * {@code INSERT ... ON CONFLICT (durable_id) DO NOTHING}. Batches are cut again on replay, so deduplicate per item,
     * not per batch.
     *
     * @return the ids, or an empty array without a durable buffer
     */
    default long[] durableIds() {
        return new long[0];
    }
}
