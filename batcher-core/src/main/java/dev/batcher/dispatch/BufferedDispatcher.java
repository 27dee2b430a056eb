package dev.batcher.dispatch;

import dev.batcher.DropReason;
import dev.batcher.ItemSizer;
import dev.batcher.Ordering;
import dev.batcher.durable.DurableJournal;
import dev.batcher.kernel.Kernel;
import dev.batcher.kernel.KernelSpec;
import dev.batcher.kernel.KernelStats;
import dev.batcher.limit.SendGate;
import dev.batcher.limit.TokenBucketGate;
import dev.batcher.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The dispatcher: checks items at the call and hands everything else to the {@link Kernel}, which batches, sends,
 * retries and settles. Its own parts are the item checks and the rate-limit gate.
 */
final class BufferedDispatcher<T> implements Dispatcher<T> {


    private final String name;
    private final DispatcherConfig<T> config;
    private final ItemSizer<? super T> sizer;
    private final long maxItemBytes;
    private final Kernel<T, Void> kernel;
    /** The durable buffer's log, or {@code null}. */
    private final DurableJournal<T> journal;

    BufferedDispatcher(String name, DispatcherConfig<T> config, BatchSender<T> sender) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A dispatcher needs a non-blank name, for its threads, logs and metrics");
        }
        this.name = name;
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(sender, "sender");
        this.sizer = config.itemSizer();
        long batchLimit = config.maxBatchBytes() > 0 ? config.maxBatchBytes() : Long.MAX_VALUE;
        long bufferLimit = config.bufferMaxBytes() > 0 ? config.bufferMaxBytes() : Long.MAX_VALUE;
        this.maxItemBytes = Math.min(batchLimit, bufferLimit);
        Scheduler scheduler = config.scheduler();
        KernelSpec<T> spec = new KernelSpec<>("Dispatcher", name, config.batching(), config.buffer(), config.sends(),
                config.rateLimit(), config.ordering(),
                config.ordering() == Ordering.PER_KEY ? config.keyExtractor() : null, null,
                sizer == null ? null : sizer::sizeOf, null, gateFor(config), config.retryPolicy(),
                config.backOffPolicy(), config.errorHandler(), config.dropHandler(), config.drainedCallback(),
                config.listener(), scheduler);
        this.journal = config.durableBuffer() != null
                ? new DurableJournal<>("Dispatcher '" + name + "'", config.durableBuffer()) : null;
        try {
            this.kernel = new Kernel<>(spec, batch -> {
                sender.send(batch);
                return null;
            }, journal);
        }
        catch (RuntimeException | Error ex) {
            if (journal != null) {
                journal.close();
            }
            throw ex;
        }
        if (journal != null) {
            journal.replay(kernel, sizer == null ? null : sizer::sizeOf, "batcher-" + name + "-replay");
        }
    }

    private static SendGate gateFor(DispatcherConfig<?> config) {
        if (config.sendGate() != null) {
            return config.sendGate();
        }
        if (config.batchesPerSecond() > 0) {
            Scheduler clock = config.scheduler();
            return new TokenBucketGate(config.batchesPerSecond(), config.burst(),
                    clock != null ? clock::nanoTime : System::nanoTime);
        }
        return null;
    }

    // ---------------------------------------------------------------- producers

    @Override
    public CompletableFuture<Void> submit(T item) {
        long bytes = sizeOf(item);
        CompletableFuture<Void> future = new CompletableFuture<>();
        kernel.admit(item, future, bytes);
        return future;
    }

    @Override
    public void enqueue(T item) {
        kernel.admit(item, null, sizeOf(item));
    }

    @Override
    public List<CompletableFuture<Void>> submitAll(Collection<? extends T> items) {
        List<CompletableFuture<Void>> futures = new ArrayList<>(items.size());
        for (T item : items) {
            futures.add(submit(item));
        }
        return futures;
    }

    @Override
    public void enqueueAll(Collection<? extends T> items) {
        for (T item : items) {
            enqueue(item);
        }
    }

    private long sizeOf(T item) {
        if (item == null) {
            throw new NullPointerException("Dispatcher '" + name + "' does not accept null items");
        }
        if (sizer == null) {
            return 0;
        }
        long bytes = sizer.sizeOf(item);
        if (bytes < 0) {
            throw new IllegalArgumentException("Dispatcher '" + name + "': the item sizer returned a negative size ("
                    + bytes + " bytes) for item " + item + "; sizes must be zero or positive");
        }
        if (bytes > maxItemBytes) {
            throw new IllegalArgumentException("Dispatcher '" + name + "': item of " + bytes
                    + " bytes is larger than the byte limit (max-batch-bytes=" + config.maxBatchBytes()
                    + ", buffer.max-bytes=" + config.bufferMaxBytes() + ") and could never be sent; "
                    + "split the item or raise the limit");
        }
        return bytes;
    }

    // ---------------------------------------------------------------- control

    @Override
    public String name() {
        return name;
    }

    @Override
    public DispatcherConfig<T> config() {
        return config;
    }

    @Override
    public CompletableFuture<Void> flush() {
        return kernel.flush();
    }

    @Override
    public void pause() {
        kernel.setPaused(true);
    }

    @Override
    public void resume() {
        kernel.setPaused(false);
    }

    @Override
    public boolean close(Duration timeout) {
        Duration left = timeout;
        if (journal != null) {
            // New items are refused at once; what a previous run left is still replayed, and drained with the rest.
            kernel.refuseNewItems();
            long start = System.nanoTime();
            journal.awaitReplay(timeout.toNanos());
            left = timeout.minusNanos(System.nanoTime() - start);
            left = left.isNegative() ? Duration.ZERO : left;
        }
        boolean drained = kernel.closeAndDrain(left);
        closeJournal();
        return drained;
    }

    /** Once the kernel is closed: what the log still holds (drops on shutdown) stays on disk for the next start. */
    private void closeJournal() {
        if (journal != null) {
            kernel.fenceJournal();
            journal.close();
        }
    }

    @Override
    public void close() {
        close(config.drainTimeout());
    }

    @Override
    public void shutdownNow() {
        kernel.dropAll(DropReason.CANCELLED);
        if (journal != null) {
            // The acknowledgements of what was sent before the stop run on the callback thread: let them reach the
            // log before it closes, or those items would be sent again after a restart.
            kernel.awaitDrained(java.util.concurrent.TimeUnit.SECONDS.toNanos(5));
        }
        closeJournal();
    }

    @Override
    public boolean isClosed() {
        return kernel.isClosed();
    }

    @Override
    public boolean isDrained() {
        return kernel.drainedFuture().isDone();
    }

    /** Test support: moves items from the lock-free intake into batches now (for tests on a manual clock). */
    void syncIntake() {
        kernel.syncIntake();
    }

    @Override
    public DispatcherStats stats() {
        KernelStats s = kernel.snapshot();
        return new DispatcherStats(name, s.bufferedItems(), s.bufferedBytes(), s.inFlightBatches(),
                s.inFlightItems(), s.submitted(), s.sent(), s.dropped(), s.droppedByReason(), s.retried(),
                s.sentBatches(), s.failedAttempts(), s.consecutiveFailures(), s.bufferFullFor(), s.paused(),
                s.closed(), s.drained(), s.lastBatchItems(), s.lastSentAt(), s.abandonedSends(),
                kernel.replayedItems(), journal != null ? journal.stats() : null);
    }

    @Override
    public String toString() {
        return "Dispatcher[" + name + "]";
    }
}
