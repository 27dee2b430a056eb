package dev.batcher.dispatch;

import java.util.ArrayDeque;

/**
 * A queue of batches that share an ordering constraint: the single lane of {@link Ordering#NONE} (batches leave
 * in parallel) or {@link Ordering#FIFO}, or one lane per key for {@link Ordering#PER_KEY}. An exclusive lane has at
 * most one batch out at a time (being sent or waiting for its retry), which is what keeps its order. Guarded by
 * the buffer lock.
 */
final class Lane<T> {

    final Object key;
    final boolean exclusive;
    PendingBatch<T> open;
    final ArrayDeque<PendingBatch<T>> sealed = new ArrayDeque<>();
    /** For an exclusive lane: a batch of it is being sent or waits for a retry. */
    boolean busy;
    /** Whether the lane is in the buffer's ready queue. */
    boolean queued;

    Lane(Object key, boolean exclusive) {
        this.key = key;
        this.exclusive = exclusive;
    }

    boolean sendable() {
        return !sealed.isEmpty() && !(exclusive && busy);
    }

    boolean idle() {
        return open == null && sealed.isEmpty() && !busy;
    }
}
