package dev.batcher.dispatch;

import dev.batcher.BatchingEngine;
import dev.batcher.BufferFullException;
import dev.batcher.DropReason;
import dev.batcher.ItemDroppedException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A buffered, batching, rate-limited, retrying hand-off from many producers to a {@link BatchSender}
 * (the Java counterpart of luci's {@code dispatcher.Channel}).
 *
 * <p>Producers submit items one at a time; the dispatcher groups them into batches cut by item count, by bytes and
 * by age, sends up to {@code maxConcurrentSends} batches in parallel at no more than the configured rate, retries
 * failed batches on their own back-off schedule, and drains on close. Every item ends either sent or dropped with
 * a {@link DropReason}, and {@link #stats()} always balances.
 *
 * <pre>{@code
 * Dispatcher<Event> events = Dispatcher.create("events",
 *         DispatcherConfig.<Event>builder().maxBatchItems(500).maxBatchAge(Duration.ofMillis(50)).build(),
 *         batch -> repository.insertAll(batch.items()));
 * events.submit(event).thenRun(() -> log.info("stored"));
 * }</pre>
 *
 * <p>Instances are thread-safe. Create them with {@link #create(String, DispatcherConfig, BatchSender)}.
 *
 * @param <T> the item type
 */
public interface Dispatcher<T> extends BatchingEngine {

    /**
     * Creates and starts a dispatcher.
     *
     * @param name a name for threads, logs, metrics and errors; not blank
     * @param config the options, see {@link DispatcherConfig#builder()}
     * @param sender sends each batch
     * @param <T> the item type
     * @return the running dispatcher
     */
    static <T> Dispatcher<T> create(String name, DispatcherConfig<T> config, BatchSender<T> sender) {
        return new BufferedDispatcher<>(name, config, sender);
    }


    /** The options this dispatcher runs with. */
    DispatcherConfig<T> config();

    /**
     * Submits an item and returns a future of its fate.
     *
     * @param item the item, not {@code null}
     * @return a future completed when the batch holding the item was sent, or completed exceptionally with an
     *     {@link ItemDroppedException} telling the {@link DropReason} when the item is dropped
     * @throws NullPointerException for a {@code null} item
     * @throws IllegalArgumentException for an item whose size is negative or larger than {@code maxBatchBytes}
     * @throws BufferFullException when the buffer is full and the full behaviour refuses the item
     * @throws IllegalStateException after {@link #close()} or {@link #shutdownNow()}
     */
    CompletableFuture<Void> submit(T item);

    /**
     * Submits an item without a future: the fire-and-forget form, which allocates nothing per item. Its fate is
     * visible through the drop handler and {@link #stats()}.
     *
     * @param item the item, not {@code null}
     * @throws NullPointerException for a {@code null} item
     * @throws IllegalArgumentException for an item whose size is negative or larger than {@code maxBatchBytes}
     * @throws BufferFullException when the buffer is full and the full behaviour refuses the item
     * @throws IllegalStateException after {@link #close()} or {@link #shutdownNow()}
     */
    void enqueue(T item);

    /**
     * Submits items one after the other, as {@link #submit} does.
     *
     * @param items the items, none {@code null}
     * @return one future per item, in the same order
     * @throws BufferFullException when the buffer refuses an item; the items before it were submitted
     */
    List<CompletableFuture<Void>> submitAll(Collection<? extends T> items);

    /**
     * Enqueues items one after the other, as {@link #enqueue} does.
     *
     * @param items the items, none {@code null}
     * @throws BufferFullException when the buffer refuses an item; the items before it were enqueued
     */
    void enqueueAll(Collection<? extends T> items);

    /**
     * Cuts every partly filled batch now, so that it is sent without waiting for {@code maxBatchAge}.
     *
     * @return completed once every item submitted before the call is settled: sent or dropped, its future completed
     *     and the drop handler called
     */
    @Override
    CompletableFuture<Void> flush();

    /**
     * Stops starting new sends; items keep being buffered (and producers block or drop when it fills).
     *
     * @throws IllegalStateException after {@link #close()} or {@link #shutdownNow()}: a pause would stall the drain
     */
    @Override
    void pause();

    /** Undoes {@link #pause()}. */
    @Override
    void resume();

    /**
     * Stops accepting items and waits until everything buffered was sent or dropped, at most {@code timeout}.
     * What is left at the timeout is dropped with {@link DropReason#SHUTDOWN} and sends still running are
     * interrupted. Calling it again waits again; it never throws.
     *
     * @param timeout how long to wait for the drain
     * @return {@code true} if everything was sent or dropped by the sender's own outcome before the timeout
     */
    @Override
    boolean close(Duration timeout);

    /** {@link #close(Duration)} with the configured {@code drainTimeout}. */
    @Override
    void close();

    /**
     * Stops at once: drops everything buffered or waiting for a retry with {@link DropReason#CANCELLED},
     * interrupts running sends and drops their batches too.
     */
    @Override
    void shutdownNow();

    /** Whether {@link #close()} or {@link #shutdownNow()} was called. */
    @Override
    boolean isClosed();

    /** Whether the dispatcher is closed and every item ended sent or dropped. */
    @Override
    boolean isDrained();

    /** A consistent snapshot of the counters; cheap enough to poll from metrics. */
    DispatcherStats stats();
}
