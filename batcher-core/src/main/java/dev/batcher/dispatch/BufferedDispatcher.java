package dev.batcher.dispatch;

import dev.batcher.limit.SendGate;
import dev.batcher.limit.TokenBucketGate;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The dispatcher engine: sender threads (one per allowed concurrent send) lease batches from the
 * {@link BatchBuffer}, send them, and settle each attempt: sent, retried after a back-off, or dropped. A send that
 * overruns {@code sendTimeout} is abandoned: its thread is interrupted, the attempt counts as failed, and a fresh
 * sender thread takes the lease, so a hung sink never stalls the dispatcher.
 */
final class BufferedDispatcher<T> implements Dispatcher<T>, BatchBuffer.Events<T> {

    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

    private final String name;
    private final DispatcherConfig<T> config;
    private final BatchSender<T> sender;
    private final Scheduler scheduler;
    private final boolean ownsScheduler;
    private final BatchBuffer<T> buffer;
    private final RetryState.Policies retryPolicies;
    private final ItemSizer<? super T> sizer;
    private final long maxItemBytes;
    private final long sendTimeoutNanos;
    private final DispatcherListener listener;
    private final AtomicInteger senderThreads = new AtomicInteger();

    BufferedDispatcher(String name, DispatcherConfig<T> config, BatchSender<T> sender) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A dispatcher needs a non-blank name, for its threads, logs and metrics");
        }
        this.name = name;
        this.config = Objects.requireNonNull(config, "config");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.ownsScheduler = config.scheduler() == null;
        this.scheduler = ownsScheduler ? new SystemScheduler("batcher-" + name + "-timer") : config.scheduler();
        this.retryPolicies = new RetryState.Policies(config.retryPolicy(), config.backOffPolicy());
        this.sizer = config.itemSizer();
        long batchLimit = config.maxBatchBytes() > 0 ? config.maxBatchBytes() : Long.MAX_VALUE;
        long bufferLimit = config.bufferMaxBytes() > 0 ? config.bufferMaxBytes() : Long.MAX_VALUE;
        this.maxItemBytes = Math.min(batchLimit, bufferLimit);
        this.sendTimeoutNanos = config.sendTimeout().toNanos();
        this.listener = config.listener();
        this.buffer = new MemoryBuffer<>(name, config, scheduler, gateFor(config, scheduler), this);
        for (int i = 0; i < config.maxConcurrentSends(); i++) {
            startSenderThread();
        }
    }

    private static SendGate gateFor(DispatcherConfig<?> config, Scheduler scheduler) {
        if (config.sendGate() != null) {
            return config.sendGate();
        }
        if (config.batchesPerSecond() > 0) {
            return new TokenBucketGate(config.batchesPerSecond(), config.burst(), scheduler::nanoTime);
        }
        return null;
    }

    private void startSenderThread() {
        Thread thread = new Thread(this::runSender, "batcher-" + name + "-send-" + senderThreads.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
    }

    // ---------------------------------------------------------------- producers

    @Override
    public CompletableFuture<Void> submit(T item) {
        long bytes = sizeOf(item);
        CompletableFuture<Void> future = new CompletableFuture<>();
        buffer.add(item, future, bytes);
        return future;
    }

    @Override
    public void enqueue(T item) {
        buffer.add(item, null, sizeOf(item));
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

    // ---------------------------------------------------------------- senders

    private void runSender() {
        PendingBatch<T> next = null;
        while (true) {
            PendingBatch<T> batch = next;
            if (batch == null) {
                try {
                    batch = buffer.take();
                }
                catch (InterruptedException ex) {
                    // A stray interrupt (ours only target running sends): keep serving until drained or stopped.
                    continue;
                }
                if (batch == null) {
                    return;
                }
            }
            next = null;
            Throwable error = null;
            long start = System.nanoTime();
            try {
                sender.send(batch);
            }
            catch (Throwable ex) {
                error = ex;
            }
            long took = System.nanoTime() - start;
            boolean mine = batch.finishAttempt();
            Thread.interrupted();
            if (!mine) {
                // Abandoned meanwhile (send timeout, shutdown): whoever abandoned it settles it, and a new sender
                // thread has taken this one's place.
                return;
            }
            if (error == null) {
                notifyListener(batch, took, SendOutcome.SUCCESS);
                next = buffer.sent(batch, true);
            }
            else {
                notifyListener(batch, took, SendOutcome.FAILURE);
                settleFailure(batch, error);
            }
        }
    }

    @Override
    public void leaseExpired(PendingBatch<T> batch, int attempt) {
        if (!batch.abandon(attempt)) {
            return;
        }
        notifyListener(batch, sendTimeoutNanos, SendOutcome.TIMEOUT);
        startSenderThread();
        settleFailure(batch, new SendTimeoutException(name, config.sendTimeout()));
    }

    /** Retry or drop a failed attempt, per the error handler, then the retry and back-off policies. */
    private void settleFailure(PendingBatch<T> batch, Throwable error) {
        boolean retry;
        try {
            retry = config.errorHandler().shouldRetry(batch, error);
        }
        catch (Throwable ex) {
            LOG.log(Level.ERROR, "Dispatcher '" + name + "': error handler failed; dropping the batch", ex);
            retry = false;
        }
        if (!retry) {
            buffer.dropFailed(batch, DropReason.NOT_RETRYABLE, error);
            return;
        }
        long delay;
        try {
            if (batch.retry == null) {
                batch.retry = retryPolicies.open();
            }
            delay = batch.retry.onFailure(error);
        }
        catch (Throwable ex) {
            LOG.log(Level.ERROR, "Dispatcher '" + name + "': retry policy failed; dropping the batch", ex);
            delay = -1;
        }
        if (delay < 0) {
            buffer.dropFailed(batch, DropReason.RETRIES_EXHAUSTED, error);
        }
        else {
            long wait = delay;
            LOG.log(Level.DEBUG, () -> "Dispatcher '" + name + "': attempt " + batch.attempt() + " of " + batch
                    + " failed (" + error + "); retrying in " + Duration.ofNanos(wait));
            buffer.retryLater(batch, wait);
        }
    }

    private void notifyListener(PendingBatch<T> batch, long nanos, SendOutcome outcome) {
        try {
            listener.onSendCompleted(batch.size(), batch.bytes(), nanos, outcome);
        }
        catch (Throwable ex) {
            LOG.log(Level.WARNING, "Dispatcher '" + name + "': listener failed", ex);
        }
    }

    // ---------------------------------------------------------------- buffer events

    @Override
    public void dropped(List<PendingBatch<T>> batches, DropReason reason, Throwable cause) {
        ItemDroppedException failure = new ItemDroppedException(name, reason, cause);
        for (PendingBatch<T> batch : batches) {
            if (batch.size() > 0) {
                reportDrop(batch.items(), reason, cause);
            }
            batch.completeDropped(failure);
        }
    }

    @Override
    public void rejected(T item) {
        reportDrop(List.of(item), DropReason.BUFFER_FULL, null);
    }

    private void reportDrop(List<T> items, DropReason reason, Throwable cause) {
        DropHandler<T> handler = config.dropHandler();
        if (handler == null) {
            LOG.log(Level.WARNING, () -> "Dispatcher '" + name + "' dropped " + items.size() + " item(s): "
                    + reason.tagValue() + (cause != null ? " (" + cause + ")" : ""));
            return;
        }
        try {
            handler.onDrop(items, reason, cause);
        }
        catch (Throwable ex) {
            LOG.log(Level.ERROR, "Dispatcher '" + name + "': drop handler failed", ex);
        }
    }

    @Override
    public void blocked(long nanos) {
        try {
            listener.onProducerBlocked(nanos);
        }
        catch (Throwable ex) {
            LOG.log(Level.WARNING, "Dispatcher '" + name + "': listener failed", ex);
        }
    }

    @Override
    public void drained() {
        Runnable callback = config.drainedCallback();
        try {
            if (callback != null) {
                callback.run();
            }
        }
        catch (Throwable ex) {
            LOG.log(Level.ERROR, "Dispatcher '" + name + "': drained callback failed", ex);
        }
        finally {
            if (ownsScheduler) {
                scheduler.shutdown();
            }
        }
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
    public void flush() {
        buffer.flush();
    }

    @Override
    public void pause() {
        buffer.setPaused(true);
    }

    @Override
    public void resume() {
        buffer.setPaused(false);
    }

    @Override
    public boolean close(Duration timeout) {
        buffer.close();
        CompletableFuture<Void> drained = buffer.drainedFuture();
        boolean intime = await(drained, timeout.toNanos());
        if (!intime) {
            LOG.log(Level.WARNING, () -> "Dispatcher '" + name + "' did not drain within " + timeout
                    + "; dropping what is left as shutdown: " + stats());
            buffer.dropAll(DropReason.SHUTDOWN);
            await(drained, TimeUnit.SECONDS.toNanos(5));
        }
        return intime;
    }

    private static boolean await(CompletableFuture<Void> future, long nanos) {
        try {
            future.get(nanos, TimeUnit.NANOSECONDS);
            return true;
        }
        catch (TimeoutException ex) {
            return false;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
        catch (Exception ex) {
            return future.isDone();
        }
    }

    @Override
    public void close() {
        close(config.drainTimeout());
    }

    @Override
    public void shutdownNow() {
        buffer.dropAll(DropReason.CANCELLED);
    }

    @Override
    public boolean isClosed() {
        return buffer.isClosed();
    }

    @Override
    public boolean isDrained() {
        return buffer.drainedFuture().isDone();
    }

    @Override
    public DispatcherStats stats() {
        return buffer.snapshot();
    }

    @Override
    public String toString() {
        return "Dispatcher[" + name + "]";
    }
}
