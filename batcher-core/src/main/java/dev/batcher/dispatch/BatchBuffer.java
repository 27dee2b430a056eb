package dev.batcher.dispatch;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where items wait between a submit and the end of their batch: the dispatcher's buffer, with batching, lanes,
 * limits, leases, retry waits and the accounting. The in-memory implementation is {@link MemoryBuffer}; a durable
 * buffer can take its place behind this interface.
 *
 * <p>A batch moves through {@link #add} (open, then sealed by count, bytes, age or flush), {@link #take} (leased
 * to a sender), and then exactly one of {@link #sent}, {@link #retryLater} (back in the buffer after its back-off)
 * or {@link #dropFailed}. Drops the buffer decides itself (oldest dropped, shutdown, cancel) are reported through
 * {@link Events}.
 *
 * @param <T> the item type
 */
interface BatchBuffer<T> {

    /** What the buffer tells its engine, always outside its lock. */
    interface Events<T> {

        /** Batches were dropped; their futures must be failed and the drop handler told. */
        void dropped(List<PendingBatch<T>> batches, DropReason reason, Throwable cause);

        /** A single item was refused because the buffer was full; it is already counted as dropped. */
        void rejected(T item);

        /**
         * A leased batch has been out longer than the send timeout. The engine abandons attempt number
         * {@code attempt} (if it is still running) and settles it as failed.
         */
        void leaseExpired(PendingBatch<T> batch, int attempt);

        /** A producer waited for room this long. */
        void blocked(long nanos);

        /** The buffer is closed and empty, with nothing in flight; called exactly once. */
        void drained();
    }

    /**
     * Adds an item, blocking, dropping or refusing per the full behaviour.
     *
     * @param future completed by the engine when the item ends, or {@code null} for fire-and-forget
     * @throws BufferFullException when the item is refused (counted as dropped with {@link DropReason#BUFFER_FULL})
     * @throws IllegalStateException after close
     */
    void add(T item, CompletableFuture<Void> future, long bytes);

    /**
     * Leases the next sendable batch to a sender, waiting for one (and for the send gate) as long as needed.
     *
     * @return the batch, or {@code null} when the buffer is drained or stopped and the sender should exit
     */
    PendingBatch<T> take() throws InterruptedException;

    /**
     * A leased batch was sent: counts it and completes its futures. With {@code leaseNext}, also leases the next sendable batch in the same step if one
     * is ready now (a busy sender then takes the lock once per batch), without waiting.
     *
     * @return the next leased batch, or {@code null}
     */
    PendingBatch<T> sent(PendingBatch<T> batch, boolean leaseNext);

    /** A leased batch failed and will be retried after {@code delayNanos}. */
    void retryLater(PendingBatch<T> batch, long delayNanos);

    /** A leased batch failed for good (or was abandoned) and is dropped. */
    void dropFailed(PendingBatch<T> batch, DropReason reason, Throwable cause);

    /** Seals every open batch. */
    void flush();

    /** Stops or restarts handing batches to senders. */
    void setPaused(boolean paused);

    /** Stops accepting items and seals every open batch; what is buffered is still sent. */
    void close();

    /**
     * Stops: drops everything buffered or waiting for a retry, abandons the batches being sent (interrupting their
     * threads) and drops them too, all with {@code reason}.
     */
    void dropAll(DropReason reason);

    /** Completed (after {@link Events#drained()}) when the buffer is closed and empty. */
    CompletableFuture<Void> drainedFuture();

    /** Whether {@link #close()} or {@link #dropAll} was called. */
    boolean isClosed();

    /** A consistent snapshot of the counters. */
    DispatcherStats snapshot();
}
