package dev.batcher.cost;

import dev.batcher.BatchingEngine;

import dev.batcher.BufferFullException;
import dev.batcher.SubmitInterruptedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The cost-aware batcher (go-batcher): operations with a cost are buffered, grouped into batches per {@link Watcher}
 * and handed to their watchers at the pace of a capacity limiter, so that a datastore with a capacity per second
 * (such as Cosmos DB's request units) is used fully and never flooded. Generally one batcher per datastore, serving
 * many watchers.
 *
 * <pre>{@code
 * Batcher batcher = Batcher.create("cosmos", BatcherConfig.builder()
 *         .capacityLimiter(new ProvisionedCapacity(10_000)).build());
 * Watcher<Order> upserts = Watcher.<Order>of(ops -> container.bulkUpsert(ops)).withMaxBatchSize(100);
 * batcher.start();
 * batcher.enqueue(Operation.of(upserts, 10, order));
 * }</pre>
 *
 * <p><b>Pacing.</b> Each flush interval dispatches up to capacity x interval, and always at least one batch; a
 * batch that costs more goes into debt that the next ones wait out. The batcher tells the limiter the capacity it
 * needs (the cost of every operation enqueued and not yet done) every capacity interval.
 *
 * <p><b>Lifecycle.</b> Operations may be enqueued before {@link #start()}; they are held until then. A batcher is
 * started once; {@link #close()} drains it and it cannot be started again. Everything is thread-safe.
 */
public interface Batcher extends BatchingEngine {

    /**
     * Creates a batcher. Its threads start now, but no batch is processed before {@link #start()}.
     *
     * @param name the name, for threads, logs, events and metrics
     * @param config the options
     * @return the batcher
     */
    static Batcher create(String name, BatcherConfig config) {
        return new CostBatcher(name, config);
    }

    /** The batcher's name. */
    String name();

    /** The options it was created with. */
    BatcherConfig config();

    /**
     * Starts processing: starts the capacity limiter, the capacity requests and the audit, and releases the
     * operations enqueued so far.
     *
     * @throws IllegalStateException if it was already started, or was closed
     */
    void start();

    /**
     * Adds an operation to the buffer. The checks run in go-batcher's order: {@link NoOperationException},
     * {@link NoWatcherException}, {@link TooExpensiveException}, {@link TooManyAttemptsException}. The needed capacity
     * then rises by its cost. When the buffer is full, this waits for room up to {@code buffer.block-timeout} or, with
     * {@code buffer.full-behavior: reject}, fails at once.
     *
     * @param operation the operation
     * @throws OperationRefusedException if a check fails; nothing is counted
     * @throws BufferFullException when the buffer is full; counted as dropped ({@code buffer-full})
     * @throws SubmitInterruptedException when interrupted while waiting for room; counted as dropped
     * @throws IllegalStateException when closed, or when it would wait for room on one of the batcher's own threads
     *     (a watcher enqueueing into a full buffer)
     */
    void enqueue(Operation<?> operation);

    /**
     * Holds processing for {@code pause-time} (go-batcher's Pause), typically because the datastore is overloaded.
     * A pause while paused does not extend it; a pause before start or after close is ignored. Batches already with
     * their watchers go on.
     */
    @Override
    void pause();

    /**
     * Ends a pause now instead of at the end of {@code pause-time} (an operator's resume); does nothing when not
     * paused.
     */
    @Override
    void resume();

    /** Whether it is closed and every operation ended processed or dropped, every outcome settled. */
    @Override
    boolean isDrained();

    /**
     * Tells the batcher the datastore throttles (an HTTP 429, Cosmos DB's {@code RequestRateTooLarge}): it pauses
     * and lowers its pace by {@code throttle.decrease-factor}, then regains {@code throttle.recovery-step} of the
     * capacity every capacity interval. A watcher may call it, or throw {@link ThrottledException}.
     */
    void throttle();

    /**
     * Cuts every watcher's open batch now instead of at the flush interval (go-batcher's Flush); the batches are
     * still paced by capacity.
     *
     * @return completed once every operation enqueued before the call is done (processed or dropped)
     */
    CompletableFuture<Void> flush();

    /** Operations not yet handed to a watcher (go-batcher's OperationsInBuffer). */
    long operationsInBuffer();

    /**
     * The capacity this batcher needs (go-batcher's NeedsCapacity): the cost of every operation enqueued and not yet
     * done. It rises on enqueue and falls when a batch is done or its max operation time passes.
     */
    long neededCapacity();

    /** A snapshot of the counters. */
    BatcherStats stats();

    /**
     * Adds a listener for events; see {@link BatcherEvent} for the names.
     *
     * @param listener called on the batcher's event thread
     */
    void addListener(BatcherListener listener);

    /**
     * Removes a listener.
     *
     * @param listener a listener added before
     */
    void removeListener(BatcherListener listener);

    /** Whether {@link #start()} was called. */
    boolean isStarted();

    /** Whether {@link #close()} or {@link #shutdownNow()} was called. */
    boolean isClosed();

    /**
     * Stops accepting operations and processes what is buffered, waiting up to {@code timeout}; what is left then is
     * dropped ({@code shutdown}). A batcher that was never started drops what it holds at once. Closes the capacity
     * limiter and emits {@code shutdown} once.
     *
     * @param timeout how long to wait for the drain
     * @return {@code true} if nothing was left to drop
     */
    boolean close(Duration timeout);

    /** {@link #close(Duration)} with {@code drain-timeout}. */
    @Override
    void close();

    /** Stops at once: everything buffered or being processed is dropped ({@code cancelled}). */
    void shutdownNow();
}
