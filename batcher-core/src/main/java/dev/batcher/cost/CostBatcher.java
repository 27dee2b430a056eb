package dev.batcher.cost;

import dev.batcher.Batch;
import dev.batcher.BatchLimits;
import dev.batcher.BatchListener;
import dev.batcher.BufferFullException;
import dev.batcher.DropHandler;
import dev.batcher.DropReason;
import dev.batcher.FullBehavior;
import dev.batcher.Ordering;
import dev.batcher.RateLimit;
import dev.batcher.SendTimeoutException;
import dev.batcher.kernel.EventChannel;
import dev.batcher.kernel.Kernel;
import dev.batcher.kernel.KernelSpec;
import dev.batcher.kernel.KernelStats;
import dev.batcher.kernel.LanePolicy;
import dev.batcher.limit.CapacityLimiter;
import dev.batcher.time.Scheduler;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.retry.backoff.FixedBackOffPolicy;
import org.springframework.retry.policy.AlwaysRetryPolicy;

/**
 * The batcher on the {@link Kernel}: an operation is the kernel's item (wrapped in a {@link Target.Entry} that holds
 * its cost in the needed capacity), each watcher is a lane (its non-batchable operations a second lane cut at one
 * item), the flush interval is the lanes' cut age, the max operation time their send timeout, and a
 * {@link CapacityGate} paces batches by cost. Its own parts: the enqueue checks, the needed capacity and its audit,
 * the capacity requests, pause and throttling, the lifecycle and the events.
 */
final class CostBatcher implements Batcher {

    private static final System.Logger LOG = System.getLogger(Batcher.class.getName());
    /** Events that may wait for slow listeners before new ones are dropped. */
    static final int MAX_PENDING_EVENTS = 4_096;

    private enum Phase { NEW, STARTED, STOPPED }

    private final String name;
    private final String label;
    private final BatcherConfig config;
    private final CapacityLimiter limiter;
    private final Scheduler scheduler;
    private final boolean ownsScheduler;
    /** Paces batches by cost; {@code null} without a limiter. */
    private final CapacityGate gate;
    /** The most a batch may cost (capacity x flush interval at max capacity); unlimited without a limiter. */
    private final long costCap;
    private final long capacityNanos;
    private final long auditNanos;
    private final long maxOperationNanos;
    private final Target target = new Target();
    private final EventChannel<BatcherListener, BatcherEvent> events;
    private final Kernel<Target.Entry, Void> kernel;
    private final AtomicLong timedOutBatches = new AtomicLong();
    private final AtomicLong throttles = new AtomicLong();
    private final AtomicBoolean shutdownEmitted = new AtomicBoolean();
    /** When a batch was last handed to a watcher, on the scheduler's clock. */
    private volatile long lastDispatchAt;

    private final Object phaseLock = new Object();
    // Guarded by phaseLock (volatile for lock-free reads).
    private volatile Phase phase = Phase.NEW;
    private volatile boolean started;
    private volatile boolean paused;
    private Scheduler.Cancellable resumeTimer;
    private Scheduler.Cancellable capacityTimer;
    private Scheduler.Cancellable auditTimer;

    CostBatcher(String name, BatcherConfig config) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A batcher needs a non-blank name, for its threads, logs and metrics");
        }
        this.name = name;
        this.label = "Batcher '" + name + "'";
        this.config = Objects.requireNonNull(config, "config");
        this.limiter = config.capacityLimiter();
        this.ownsScheduler = config.scheduler() == null;
        this.scheduler = ownsScheduler ? Scheduler.system("batcher-" + name + "-timer") : config.scheduler();
        this.capacityNanos = config.capacityInterval().toNanos();
        this.auditNanos = config.auditInterval().toNanos();
        this.maxOperationNanos = config.maxOperationTime().toNanos();
        long flushNanos = config.flushInterval().toNanos();
        if (limiter != null) {
            this.gate = new CapacityGate(flushNanos, scheduler::nanoTime);
            double perFlush = limiter.maxCapacity() * (flushNanos / 1e9);
            this.costCap = Math.max(1L, (long) Math.min(Long.MAX_VALUE / 4d, perFlush));
        }
        else {
            this.gate = null;
            this.costCap = BatchLimits.UNLIMITED;
        }
        this.events = new EventChannel<>(label, "batcher-" + name + "-events", MAX_PENDING_EVENTS,
                BatcherListener::onEvent, LOG);
        if (limiter != null) {
            limiter.addListener(event -> events.emit(BatcherEvent.from(event)));
        }
        FixedBackOffPolicy afterPause = new FixedBackOffPolicy();
        afterPause.setBackOffPeriod(Math.max(1, config.pauseTime().toMillis()));
        boolean costed = limiter != null;
        KernelSpec<Target.Entry> spec = new KernelSpec<>("Batcher", name,
                new BatchLimits(BatchLimits.UNLIMITED, BatchLimits.UNLIMITED, config.flushInterval()),
                config.buffer(), config.sends(), RateLimit.NONE, Ordering.NONE, CostBatcher::laneOf, this::policyOf,
                costed ? entry -> entry.op.cost() : null, costed ? entry -> entry.op.cost() : null, gate,
                new AlwaysRetryPolicy(), afterPause, this::shouldRetry, this::onDrop, null, BatchListener.NONE,
                scheduler);
        this.kernel = new Kernel<>(spec, this::process);
        // The kernel's threads run from now on; nothing is handed to a watcher before start().
        kernel.setPaused(true);
    }

    // ---------------------------------------------------------------- lanes: one per watcher, one for its singles

    private static Object laneOf(Target.Entry entry) {
        Operation<?> op = entry.op;
        return op.isBatchable() ? op.watcher() : op.watcher().singleLane;
    }

    private static Watcher<?> watcherOf(Object lane) {
        return lane instanceof Watcher.SingleLane single ? single.watcher : (Watcher<?>) lane;
    }

    /** Cut rules and timeout of a watcher's lane: its max batch size (1 for singles) and max operation time. */
    private LanePolicy policyOf(Object lane) {
        Watcher<?> watcher = watcherOf(lane);
        int items = lane instanceof Watcher.SingleLane ? 1
                : watcher.maxBatchSize() > 0 ? watcher.maxBatchSize() : BatchLimits.UNLIMITED;
        Duration timeout = watcher.maxOperationTime() != null ? watcher.maxOperationTime() : config.maxOperationTime();
        return new LanePolicy(new BatchLimits(items, costCap, config.flushInterval()), timeout);
    }

    // ---------------------------------------------------------------- producers

    @Override
    public void enqueue(Operation<?> operation) {
        if (operation == null) {
            throw new NoOperationException(name);
        }
        Watcher<?> watcher = operation.watcher();
        if (watcher == null) {
            throw new NoWatcherException(name, operation);
        }
        if (limiter != null) {
            long max = limiter.maxCapacity();
            if (operation.cost() > max) {
                throw new TooExpensiveException(name, operation.cost(), max);
            }
        }
        int maxAttempts = watcher.maxAttempts();
        if (maxAttempts > 0 && operation.attempt() >= maxAttempts) {
            throw new TooManyAttemptsException(name, operation.attempt(), maxAttempts);
        }
        Target.Entry entry = target.hold(operation);
        try {
            kernel.admit(entry, null, costCap != BatchLimits.UNLIMITED ? operation.cost() : 0);
        }
        catch (BufferFullException ex) {
            target.release(entry);
            throw bufferFull(ex);
        }
        catch (RuntimeException | Error ex) {
            target.release(entry);
            throw ex;
        }
        finally {
            target.admissionOver();
        }
    }

    private BufferFullException bufferFull(BufferFullException cause) {
        String why = config.fullBehavior() == FullBehavior.BLOCK
                ? "stayed full for buffer.block-timeout=" + config.buffer().blockTimeout()
                : "is full and buffer.full-behavior is " + config.fullBehavior().name().toLowerCase().replace('_', '-');
        BufferFullException ex = new BufferFullException(name, label + " refused the operation: the buffer "
                + "(buffer.max-items=" + config.bufferMaxItems() + ") " + why + ". Raise buffer.max-items or the "
                + "capacity, or enqueue more slowly.");
        ex.initCause(cause);
        return ex;
    }

    // ---------------------------------------------------------------- the watcher side (sender threads)

    /** Hands a batch to its watcher; the batch is done when it returns. Runs on a sender thread, outside locks. */
    @SuppressWarnings("unchecked")
    private List<Void> process(Batch<Target.Entry> batch) throws Exception {
        List<Target.Entry> entries = batch.items();
        Watcher<Object> watcher = (Watcher<Object>) watcherOf(batch.key());
        List<Operation<Object>> ops = new ArrayList<>(entries.size());
        for (Target.Entry entry : entries) {
            entry.op.makeAttempt();
            ops.add((Operation<Object>) entry.op);
        }
        lastDispatchAt = scheduler.nanoTime();
        if (config.emitBatch()) {
            events.emit(() -> new BatcherEvent(BatcherEvent.BATCH, ops.size(), null, null, List.copyOf(ops)));
        }
        try {
            watcher.process(Collections.unmodifiableList(ops));
        }
        catch (Exception ex) {
            if (ThrottledException.isThrottling(ex)) {
                onThrottled();
            }
            throw ex;
        }
        for (Target.Entry entry : entries) {
            target.release(entry);
        }
        return null;
    }

    /** Only throttled batches are retried (after the pause), while every operation has attempts left. */
    private boolean shouldRetry(Batch<Target.Entry> batch, Throwable error) {
        if (error instanceof SendTimeoutException) {
            timedOutBatches.incrementAndGet();
            return false;
        }
        if (!ThrottledException.isThrottling(error)) {
            return false;
        }
        int max = watcherOf(batch.key()).maxAttempts();
        if (max > 0) {
            for (Target.Entry entry : batch.items()) {
                if (entry.op.attempt() >= max) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Dropped operations are done: their cost leaves the needed capacity. On the kernel's callback thread. */
    private void onDrop(List<Target.Entry> entries, DropReason reason, Throwable cause) {
        List<Operation<?>> ops = new ArrayList<>(entries.size());
        for (Target.Entry entry : entries) {
            target.release(entry);
            ops.add(entry.op);
        }
        DropHandler<Operation<?>> handler = config.dropHandler();
        if (handler == null) {
            LOG.log(Level.WARNING, () -> label + " dropped " + ops.size() + " operation(s): " + reason.tagValue()
                    + (cause != null ? " (" + cause + ")" : ""));
            return;
        }
        handler.onDrop(Collections.unmodifiableList(ops), reason, cause);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void start() {
        synchronized (phaseLock) {
            if (phase == Phase.STARTED) {
                throw new IllegalStateException(label + " is already started; start it once");
            }
            if (phase == Phase.STOPPED) {
                throw new IllegalStateException(label + " is closed and cannot be started again; create a new one");
            }
            if (limiter != null) {
                limiter.start();
                gate.start(limiter.capacity());
                capacityTimer = scheduler.schedule(this::onCapacityTick, capacityNanos);
            }
            lastDispatchAt = scheduler.nanoTime();
            auditTimer = scheduler.schedule(this::onAudit, auditNanos);
            phase = Phase.STARTED;
            started = true;
            kernel.setPaused(false);
        }
    }

    @Override
    public void pause() {
        synchronized (phaseLock) {
            if (phase != Phase.STARTED || paused) {
                return;
            }
            paused = true;
            kernel.setPaused(true);
            resumeTimer = scheduler.schedule(this::resume, config.pauseTime().toNanos());
        }
        events.emit(() -> BatcherEvent.of(BatcherEvent.PAUSE, config.pauseTime().toMillis(), null));
    }

    @Override
    public void resume() {
        synchronized (phaseLock) {
            if (phase != Phase.STARTED || !paused) {
                return;
            }
            paused = false;
            if (resumeTimer != null) {
                resumeTimer.cancel();
                resumeTimer = null;
            }
            kernel.setPaused(false);
        }
        events.emit(() -> BatcherEvent.of(BatcherEvent.RESUME, 0, null));
    }

    @Override
    public boolean isDrained() {
        return kernel.drainedFuture().isDone();
    }

    @Override
    public void throttle() {
        onThrottled();
    }

    private void onThrottled() {
        throttles.incrementAndGet();
        if (gate != null) {
            double pace = gate.throttle(config.throttleDecrease());
            events.emit(() -> BatcherEvent.of(BatcherEvent.THROTTLE, Math.round(pace),
                    "the datastore throttles; pace lowered"));
        }
        else {
            events.emit(() -> BatcherEvent.of(BatcherEvent.THROTTLE, 0,
                    "the datastore throttles; no capacity limiter, so pausing only"));
        }
        pause();
    }

    /** Every capacity interval: the pace recovers a step, the limiter hears the needed capacity. On the timer. */
    private void onCapacityTick() {
        synchronized (phaseLock) {
            if (phase != Phase.STARTED) {
                return;
            }
            capacityTimer = scheduler.schedule(this::onCapacityTick, capacityNanos);
            if (!paused) {
                gate.recover(config.throttleRecoveryStep());
            }
        }
        long needed = target.get();
        events.emit(() -> BatcherEvent.of(BatcherEvent.REQUEST, needed, null));
        try {
            limiter.setTarget(needed);
            gate.setCapacity(limiter.capacity());
        }
        catch (RuntimeException ex) {
            LOG.log(Level.WARNING, label + ": the capacity limiter failed", ex);
            events.emit(new BatcherEvent(BatcherEvent.ERROR, 0, "the capacity limiter failed: " + ex, ex, List.of()));
        }
    }

    /**
     * Every audit interval (go-batcher's audit): with nothing outstanding and nothing dispatched for the max operation
     * time, the needed capacity must be zero; if it is not, it is reset. On the timer.
     */
    private void onAudit() {
        synchronized (phaseLock) {
            if (phase != Phase.STARTED) {
                return;
            }
            auditTimer = scheduler.schedule(this::onAudit, auditNanos);
        }
        long admissionsBefore = target.admissionsOver();
        KernelStats s = kernel.snapshot();
        boolean quiet = s.bufferedItems() == 0 && s.inFlightItems() == 0
                && scheduler.nanoTime() - lastDispatchAt > maxOperationNanos;
        long stale = quiet ? target.resetIfStuck(admissionsBefore) : -1;
        if (stale < 0) {
            events.emit(() -> BatcherEvent.of(BatcherEvent.AUDIT_SKIP, 0, null));
        }
        else if (stale == 0) {
            events.emit(() -> BatcherEvent.of(BatcherEvent.AUDIT_PASS, 0, null));
        }
        else {
            LOG.log(Level.WARNING, () -> label + ": an audit found the needed capacity at " + stale
                    + " with nothing outstanding; reset to 0");
            events.emit(() -> BatcherEvent.of(BatcherEvent.AUDIT_FAIL, stale,
                    "an audit revealed that the needed capacity should be zero but was " + stale));
        }
    }

    @Override
    public CompletableFuture<Void> flush() {
        events.emit(() -> BatcherEvent.of(BatcherEvent.FLUSH_START, 0, null));
        CompletableFuture<Void> done = kernel.flush();
        events.emit(() -> BatcherEvent.of(BatcherEvent.FLUSH_DONE, kernel.snapshot().bufferedItems(), null));
        return done;
    }

    @Override
    public boolean close(Duration timeout) {
        return stop(timeout, false);
    }

    @Override
    public void close() {
        close(config.drainTimeout());
    }

    @Override
    public void shutdownNow() {
        stop(Duration.ZERO, true);
    }

    private boolean stop(Duration timeout, boolean now) {
        Phase was;
        synchronized (phaseLock) {
            was = phase;
            if (was != Phase.STOPPED) {
                phase = Phase.STOPPED;
                paused = false;
                for (Scheduler.Cancellable timer : new Scheduler.Cancellable[] {resumeTimer, capacityTimer, auditTimer}) {
                    if (timer != null) {
                        timer.cancel();
                    }
                }
            }
        }
        if (was == Phase.STOPPED) {
            if (now) {
                kernel.dropAll(DropReason.CANCELLED);
            }
            return kernel.awaitDrained(timeout.toNanos());
        }
        boolean intime;
        if (now) {
            kernel.dropAll(DropReason.CANCELLED);
            intime = false;
        }
        else if (was == Phase.NEW) {
            // Never started: nothing may reach a watcher, so whatever is held is dropped.
            intime = kernel.snapshot().bufferedItems() == 0;
            kernel.dropAll(DropReason.SHUTDOWN);
        }
        else {
            intime = kernel.closeAndDrain(timeout);
        }
        kernel.awaitDrained(TimeUnit.SECONDS.toNanos(5));
        if (limiter != null && was == Phase.STARTED) {
            try {
                limiter.close();
            }
            catch (RuntimeException ex) {
                LOG.log(Level.WARNING, label + ": closing the capacity limiter failed", ex);
            }
        }
        if (shutdownEmitted.compareAndSet(false, true)) {
            events.closeAfter(BatcherEvent.of(BatcherEvent.SHUTDOWN, 0, null));
        }
        if (ownsScheduler) {
            scheduler.shutdown();
        }
        return intime;
    }

    // ---------------------------------------------------------------- state

    @Override
    public String name() {
        return name;
    }

    @Override
    public BatcherConfig config() {
        return config;
    }

    @Override
    public long operationsInBuffer() {
        return kernel.snapshot().bufferedItems();
    }

    @Override
    public long neededCapacity() {
        return target.get();
    }

    @Override
    public void addListener(BatcherListener listener) {
        events.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeListener(BatcherListener listener) {
        events.remove(listener);
    }

    @Override
    public boolean isStarted() {
        return started;
    }

    @Override
    public boolean isClosed() {
        return phase == Phase.STOPPED;
    }

    @Override
    public BatcherStats stats() {
        KernelStats s = kernel.snapshot();
        return new BatcherStats(name, started, paused, target.get(), limiter != null ? limiter.capacity() : 0,
                gate != null ? gate.pace() : 0, s.bufferedItems(), s.inFlightBatches(), s.inFlightItems(),
                s.submitted(), s.sent(), s.dropped(), s.droppedByReason(), s.retried(), s.sentBatches(),
                s.failedAttempts(), timedOutBatches.get(), throttles.get(), s.closed(), s.drained(),
                s.lastBatchItems(), s.lastSentAt());
    }

    /** Test support: moves operations from the lock-free intake into batches now (for tests on a manual clock). */
    void syncIntake() {
        kernel.syncIntake();
    }

    @Override
    public String toString() {
        return "Batcher[" + name + "]";
    }
}
