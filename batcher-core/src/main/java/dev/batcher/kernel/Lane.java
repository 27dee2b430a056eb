package dev.batcher.kernel;

import dev.batcher.BatchLimits;
import java.util.ArrayDeque;

/**
 * A queue of batches that share an ordering constraint and cut rules: the single lane of {@code none} (batches leave
 * in parallel) or {@code fifo}, or one lane per key (per key for {@code per-key}, per watcher for the cost Batcher). An exclusive lane has at most one batch out at a time
 * (being sent or waiting for its retry), which is what keeps its order. Guarded by the kernel lock.
 */
final class Lane<T, R> {

    final Object key;
    final boolean exclusive;
    /** When this lane's batches are cut (the engine's limits, or a per-key {@link LanePolicy}). */
    final BatchLimits limits;
    final long maxAgeNanos;
    /** The send timeout of this lane's batches. */
    final long timeoutNanos;
    PendingBatch<T, R> open;
    final ArrayDeque<PendingBatch<T, R>> sealed = new ArrayDeque<>();
    /** For an exclusive lane: a batch of it is being sent or waits for a retry. */
    boolean busy;
    /** Whether the lane is in the kernel's ready queue. */
    boolean queued;

    Lane(Object key, boolean exclusive, BatchLimits limits, long timeoutNanos) {
        this.key = key;
        this.exclusive = exclusive;
        this.limits = limits;
        this.maxAgeNanos = limits.maxAge().toNanos();
        this.timeoutNanos = timeoutNanos;
    }

    boolean sendable() {
        return !sealed.isEmpty() && !(exclusive && busy);
    }

    boolean idle() {
        return open == null && sealed.isEmpty() && !busy;
    }
}
