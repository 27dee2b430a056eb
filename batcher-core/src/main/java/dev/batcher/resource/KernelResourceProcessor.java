package dev.batcher.resource;

import dev.batcher.Batch;
import dev.batcher.BatchLimits;
import dev.batcher.BatchListener;
import dev.batcher.BufferFullException;
import dev.batcher.DropReason;
import dev.batcher.FullBehavior;
import dev.batcher.ItemDroppedException;
import dev.batcher.Ordering;
import dev.batcher.RateLimit;
import dev.batcher.SendLimits;
import dev.batcher.SendTimeoutException;
import dev.batcher.kernel.EventChannel;
import dev.batcher.kernel.Kernel;
import dev.batcher.kernel.KernelSpec;
import dev.batcher.kernel.KernelStats;
import dev.batcher.resource.PendingOperation.BatchRun;
import dev.batcher.resource.ResourceStoreException.Phase;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.retry.backoff.NoBackOffPolicy;
import org.springframework.retry.policy.NeverRetryPolicy;

/**
 * The processor on the {@link Kernel}: an operation is the kernel's item, keyed by its resource key in
 * {@link Ordering#PER_KEY} lanes (one batch per key out at a time, keys in parallel on up to
 * {@code max-concurrent-batches} sender threads), cut by age only at {@code min-duration}. The kernel's sink is
 * {@link #process}: load once, run every operation that was not cancelled in arrival order, save once; its per-item
 * results carry each operation's own value or exception. A batch running past its deadline is given up by the
 * kernel's send timeout (its thread interrupted; it keeps its slot, so a hung store never multiplies threads). Its own
 * parts: the checks at {@link #run}, the deadline, the mapping of outcomes to each caller, the metrics and the stats.
 */
final class KernelResourceProcessor<K, R> implements ResourceProcessor<K, R> {

    private static final System.Logger LOG = System.getLogger(ResourceProcessor.class.getName());
    /** Metrics that may wait for slow listeners before new ones are dropped. */
    static final int MAX_PENDING_METRICS = 4_096;
    /** The per-item result of an operation skipped because it was cancelled (its future is already complete). */
    private static final Object SKIPPED = new Object();
    /** Set on a batch's thread while its operations run, so that a blocking run from one of them is refused. */
    private static final ThreadLocal<Object> RUNNING_OPERATIONS_OF = new ThreadLocal<>();

    private final String name;
    private final String label;
    private final ResourceProcessorConfig config;
    private final ResourceStore<K, R> store;
    private final long maxDurationNanos;
    private final EventChannel<BatchMetricsListener, BatchMetrics> metrics;
    private final Kernel<PendingOperation<K, R>, Object> kernel;
    private final LongAdder operationErrors = new LongAdder();
    private final LongAdder cancelled = new LongAdder();

    /** An operation's exception as its per-item result. */
    private record Thrown(Throwable error) {
    }

    KernelResourceProcessor(String name, ResourceProcessorConfig config, ResourceStore<K, R> store) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A resource processor needs a non-blank name, for its threads, logs "
                    + "and metrics");
        }
        this.name = name;
        this.label = "ResourceProcessor '" + name + "'";
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, () -> label + " needs a ResourceStore to load and save resources");
        this.maxDurationNanos = config.maxDuration().toNanos();
        this.metrics = new EventChannel<>(label, "batcher-" + name + "-metrics", MAX_PENDING_METRICS,
                BatchMetricsListener::onBatch, LOG);
        // The send timeout gives up a batch at its deadline: it is sent at the earliest min-duration after its start,
        // so the timeout counts from there, plus a grace of a tenth (at least 1 ms) in which a store that honours the
        // deadline itself can still report its own error. A batch that waited for a thread is checked against its
        // deadline in process() and fails without loading.
        Duration budget = config.maxDuration().minus(config.minDuration());
        Duration giveUpAfter = budget.plus(max(Duration.ofMillis(1), budget.dividedBy(10)));
        KernelSpec<PendingOperation<K, R>> spec = new KernelSpec<>("ResourceProcessor", name,
                new BatchLimits(BatchLimits.UNLIMITED, BatchLimits.UNLIMITED, config.minDuration()), config.buffer(),
                new SendLimits(config.maxConcurrentBatches(), giveUpAfter), RateLimit.NONE, Ordering.PER_KEY,
                op -> op.key, null, null, null, null, new NeverRetryPolicy(), new NoBackOffPolicy(),
                (batch, error) -> false, this::onDrop, null, BatchListener.NONE, null);
        this.kernel = new Kernel<>(spec, this::process);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    // ---------------------------------------------------------------- callers

    @Override
    public <V> CompletableFuture<V> run(K key, ResourceOperation<R, V> operation) {
        Objects.requireNonNull(key, () -> label + ": the resource key must not be null");
        Objects.requireNonNull(operation, () -> label + ": the operation must not be null");
        OperationFuture<V> future = new OperationFuture<>(name, key);
        if (kernel.isClosed()) {
            future.fail(stopped());
            return future;
        }
        PendingOperation<K, R> op = new PendingOperation<>(key, operation, future, System.nanoTime());
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        try {
            kernel.admit(op, outcome, 0);
        }
        catch (BufferFullException ex) {
            future.fail(bufferFull(ex));
            return future;
        }
        catch (IllegalStateException ex) {
            future.fail(kernel.isClosed() ? stopped() : ex);
            return future;
        }
        catch (RuntimeException ex) {
            future.fail(ex);
            return future;
        }
        outcome.whenComplete((result, error) -> settle(op, future, result, error));
        return future;
    }

    @Override
    public <V> V runAndWait(K key, ResourceOperation<R, V> operation, Duration timeout) throws Exception {
        Objects.requireNonNull(timeout, "timeout");
        if (RUNNING_OPERATIONS_OF.get() == this) {
            throw new IllegalStateException(label + ": runAndWait was called from an operation of this processor; "
                    + "it would wait for a batch that cannot start before this one ends. Use run() and do not wait");
        }
        OperationFuture<V> future = (OperationFuture<V>) run(key, operation);
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (TimeoutException ex) {
            future.cancel("it did not start within " + timeout);
            return unwrap(future);
        }
        catch (InterruptedException ex) {
            future.cancel("the waiting thread was interrupted");
            throw ex;
        }
        catch (ExecutionException ex) {
            throw rethrowable(ex.getCause());
        }
    }

    /** After a timeout: the cancellation if it won, else the batch's outcome (the operation had started). */
    private static <V> V unwrap(OperationFuture<V> future) throws Exception {
        try {
            return future.get();
        }
        catch (ExecutionException ex) {
            throw rethrowable(ex.getCause());
        }
    }

    private static Exception rethrowable(Throwable cause) {
        if (cause instanceof Error error) {
            throw error;
        }
        return (Exception) cause;
    }

    private ProcessorStoppedException stopped() {
        return new ProcessorStoppedException(name, "it accepts no more operations");
    }

    private BufferFullException bufferFull(BufferFullException cause) {
        String why = config.buffer().fullBehavior() == FullBehavior.BLOCK
                ? "stayed full for buffer.block-timeout=" + config.buffer().blockTimeout()
                : "is full and buffer.full-behavior is reject";
        BufferFullException ex = new BufferFullException(name, label + " refused the operation: the buffer "
                + "(buffer.max-items=" + config.buffer().maxItems() + ") " + why + ". Raise buffer.max-items or "
                + "max-concurrent-batches, make the store faster, or run fewer operations at once.");
        ex.initCause(cause);
        return ex;
    }

    // ---------------------------------------------------------------- a batch (on a sender thread)

    /**
     * The kernel's sink: load once, run the operations in arrival order, save once. Returns each operation's value or
     * {@link Thrown} exception; throws a {@link ResourceStoreException} to fail the whole batch.
     */
    private List<Object> process(Batch<PendingOperation<K, R>> batch) throws ResourceStoreException {
        List<PendingOperation<K, R>> ops = batch.items();
        int count = ops.size();
        PendingOperation<K, R> first = ops.get(0);
        K key = first.key;
        long startedAt = first.arrivedAt;
        long deadlineAt = startedAt + maxDurationNanos;
        long now = System.nanoTime();
        Instant wallNow = Instant.now();
        Instant deadline = wallNow.plusNanos(deadlineAt - now);
        BatchRun run = new BatchRun(deadline);
        for (PendingOperation<K, R> op : ops) {
            op.run = run;
        }
        Object[] results = new Object[count];
        long loadNanos = 0;
        long saveNanos = 0;
        ResourceStoreException failure = null;
        try {
            if (allCancelled(ops)) {
                // Nobody is waiting for this batch: no load, no save.
                Arrays.fill(results, SKIPPED);
                cancelled.add(count);
                return Arrays.asList(results);
            }
            checkDeadline(key, Phase.LOAD, deadlineAt, deadline, null);
            R resource;
            long t0 = System.nanoTime();
            try {
                resource = store.load(key, deadline);
            }
            catch (Exception ex) {
                throw storeFailure(key, Phase.LOAD, deadlineAt, deadline, ex);
            }
            finally {
                loadNanos = System.nanoTime() - t0;
            }
            checkDeadline(key, Phase.LOAD, deadlineAt, deadline, null);
            run.phase = Phase.SAVE;
            runOperations(ops, resource, results);
            checkDeadline(key, Phase.SAVE, deadlineAt, deadline, null);
            long t1 = System.nanoTime();
            try {
                store.save(key, resource, deadline);
            }
            catch (Exception ex) {
                throw storeFailure(key, Phase.SAVE, deadlineAt, deadline, ex);
            }
            finally {
                saveNanos = System.nanoTime() - t1;
            }
            checkDeadline(key, Phase.SAVE, deadlineAt, deadline, null);
            return Arrays.asList(results);
        }
        catch (ResourceStoreException ex) {
            failure = ex;
            throw ex;
        }
        finally {
            long load = loadNanos;
            long save = saveNanos;
            long total = System.nanoTime() - startedAt;
            Throwable error = failure;
            metrics.emit(() -> new BatchMetrics(wallNow.minusNanos(now - startedAt), key, count,
                    Duration.ofNanos(load), Duration.ofNanos(save), Duration.ofNanos(total), error));
        }
    }

    private static boolean allCancelled(List<? extends PendingOperation<?, ?>> ops) {
        for (PendingOperation<?, ?> op : ops) {
            if (!op.future.wasCancelled()) {
                return false;
            }
        }
        return true;
    }

    /** Runs every operation not cancelled, one at a time, in arrival order; one's exception stays its own. */
    private void runOperations(List<PendingOperation<K, R>> ops, R resource, Object[] results) {
        RUNNING_OPERATIONS_OF.set(this);
        try {
            for (int i = 0; i < results.length; i++) {
                PendingOperation<K, R> op = ops.get(i);
                if (!op.future.claim()) {
                    results[i] = SKIPPED;
                    cancelled.increment();
                    continue;
                }
                try {
                    results[i] = op.operation.apply(resource);
                }
                catch (VirtualMachineError ex) {
                    throw ex;
                }
                catch (Throwable ex) {
                    results[i] = new Thrown(ex);
                    operationErrors.increment();
                }
            }
        }
        finally {
            RUNNING_OPERATIONS_OF.remove();
        }
    }

    private void checkDeadline(K key, Phase phase, long deadlineAt, Instant deadline, Throwable cause) {
        if (System.nanoTime() - deadlineAt >= 0) {
            throw new ResourceDeadlineException(name, key, phase, deadline, cause);
        }
    }

    private ResourceStoreException storeFailure(K key, Phase phase, long deadlineAt, Instant deadline,
            Exception cause) {
        if (System.nanoTime() - deadlineAt >= 0) {
            return new ResourceDeadlineException(name, key, phase, deadline, cause);
        }
        return new ResourceStoreException(name, key, phase, cause);
    }

    // ---------------------------------------------------------------- outcomes (on the kernel's callback thread)

    @SuppressWarnings("unchecked")
    private static <V> void settle(PendingOperation<?, ?> op, OperationFuture<V> future, Object result,
            Throwable error) {
        if (error != null) {
            future.fail(error);
        }
        else if (result instanceof Thrown thrown) {
            future.fail(thrown.error());
        }
        else if (result != SKIPPED) {
            future.succeed((V) result);
        }
    }

    /**
     * The kernel dropped operations: their batch failed, ran past its deadline, or the processor stopped. Each caller
     * gets the reason as this processor's exception. Runs before the futures are failed.
     */
    private void onDrop(List<PendingOperation<K, R>> ops, DropReason reason, Throwable cause) {
        if (reason == DropReason.BUFFER_FULL || reason == DropReason.INTERRUPTED) {
            return; // refused at run(), which fails the future itself
        }
        for (PendingOperation<K, R> op : ops) {
            op.future.fail(failureOf(op, reason, cause));
        }
        if (reason == DropReason.SHUTDOWN || reason == DropReason.CANCELLED) {
            LOG.log(Level.WARNING, () -> label + " stopped with " + ops.size() + " operation(s) of resource '"
                    + ops.get(0).key + "' not done: " + reason.tagValue());
        }
    }

    private Throwable failureOf(PendingOperation<K, R> op, DropReason reason, Throwable cause) {
        if (cause instanceof ResourceStoreException store) {
            return store;
        }
        BatchRun run = op.run;
        if (cause instanceof SendTimeoutException) {
            Instant deadline = run != null ? run.deadline
                    : Instant.now().plusNanos(op.arrivedAt + maxDurationNanos - System.nanoTime());
            return new ResourceDeadlineException(name, op.key, run != null ? run.phase : Phase.LOAD, deadline, null);
        }
        if (reason == DropReason.SHUTDOWN || reason == DropReason.CANCELLED) {
            return new ProcessorStoppedException(name, run == null
                    ? "the operation on resource '" + op.key + "' was dropped before it ran (" + reason.tagValue() + ")"
                    : "the batch of resource '" + op.key + "' was given up while running (" + reason.tagValue()
                            + "); it may or may not have been saved");
        }
        return new ItemDroppedException("ResourceProcessor", name, reason, cause);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public String name() {
        return name;
    }

    @Override
    public ResourceProcessorConfig config() {
        return config;
    }

    /** Ends every pending batch's min-duration now; completed when everything run before the call is settled. */
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

    /** Refuses new operations, ends pending batches early, saves them and waits at most {@code timeout}. */
    @Override
    public boolean close(Duration timeout) {
        boolean intime = kernel.closeAndDrain(timeout);
        metrics.close();
        return intime;
    }

    @Override
    public void close() {
        close(config.drainTimeout());
    }

    @Override
    public void shutdownNow() {
        kernel.dropAll(DropReason.CANCELLED);
        metrics.close();
    }

    @Override
    public boolean isClosed() {
        return kernel.isClosed();
    }

    @Override
    public boolean isDrained() {
        return kernel.drainedFuture().isDone();
    }

    @Override
    public void addListener(BatchMetricsListener listener) {
        metrics.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeListener(BatchMetricsListener listener) {
        metrics.remove(listener);
    }

    @Override
    public ResourceProcessorStats stats() {
        KernelStats s = kernel.snapshot();
        return new ResourceProcessorStats(name, s.submitted(), s.sent(), s.dropped(), s.bufferedItems(),
                s.inFlightItems(), s.inFlightBatches(), s.sentBatches(), s.failedAttempts(), operationErrors.sum(),
                cancelled.sum(), s.abandonedSends(), metrics.lostEvents(), s.lastBatchItems(), s.lastSentAt(),
                s.closed(), s.drained());
    }

    @Override
    public String toString() {
        return label;
    }
}
