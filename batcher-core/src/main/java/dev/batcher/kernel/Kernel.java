package dev.batcher.kernel;

import dev.batcher.BatchLimits;
import dev.batcher.BufferFullException;
import dev.batcher.DropHandler;
import dev.batcher.DropReason;
import dev.batcher.FullBehavior;
import dev.batcher.ItemDroppedException;
import dev.batcher.Ordering;
import dev.batcher.SendOutcome;
import dev.batcher.SendTimeoutException;
import dev.batcher.SubmitInterruptedException;
import dev.batcher.limit.SendGate;
import dev.batcher.time.Scheduler;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The batching core every engine runs on: a lock-free intake, lanes of batches cut by count, bytes and age, sender
 * threads with leases stamped by attempt, permits with a cost taken outside the lock, retries on their own schedule,
 * the accounting, and one callback thread for user code. Internal: engines wrap it; it is not an API.
 *
 * <p><b>Threads.</b> Producers only touch the {@link IntakeRing} (one CAS) and wake the ring's watcher when it is
 * parked (Caffeine's drain status: IDLE, REQUIRED, PROCESSING). There is no intake thread: the sender threads are the
 * ring's consumer (leader/follower). A sender that comes back from the sink, or finds nothing to send, moves items from
 * the ring into batches under the lock and leases the next sealed batch in the same step; a sender with nothing to send
 * becomes the {@linkplain #watch() watcher} (at most one; the others wait for work) until items or work arrive. With
 * every sender busy in the sink the ring is not watched: items wait there until a sender is back (nobody could send
 * them sooner), and a batch opened from them ages from when the ring was last seen empty ({@link #awaySince}), so no
 * batch is cut later than max-batch-age after its first item. The steady state is then one consumer thread that drains,
 * cuts and sends, as a JCTools queue drained by one thread is, instead of an intake thread handing each batch to a
 * sender (a wake-up per batch, and one more busy thread than cores on small machines).
 * Senders take permits, send and settle outside the lock. The timer only
 * changes state under the lock (age cuts, retry due, lease expiry, heartbeats): it never runs user code. Futures,
 * drop handlers, listeners and decisions on timed-out attempts run on the {@link Callbacks} thread, queued under the
 * lock in the order the outcomes were counted.
 *
 * <p><b>Where things happen.</b> Cut by count and bytes: {@link #append}. Cut by age: {@link #onAgeTimer}. Room and
 * full behaviours: {@link #admit} and {@link #admitSlow}. Lease: {@link #lease}. Permits: {@link #awaitPermits}. Send
 * timeout: {@link #onLeaseTimer}. Retry: {@link #decide} and {@link #onRetryDue}. Drop-oldest victims:
 * {@link #evictOldest}. Drain: {@link #close}, {@link #checkDrained}. Stop: {@link #dropAll}.
 *
 * @param <T> the item type
 * @param <R> the result type of each item
 */
public final class Kernel<T, R> {

    private static final System.Logger LOG = System.getLogger("dev.batcher");

    private static final int DRAIN_CHUNK = 1024;
    private static final long NOT_ARMED = Long.MIN_VALUE;
    /** Items a watcher lets accumulate before it moves them (at most): one cache line of ring slots. */
    private static final int WATCH_AHEAD = 16;

    private static final VarHandle FULL_SINCE;

    static {
        try {
            FULL_SINCE = MethodHandles.lookup().findVarHandle(Kernel.class, "fullSince", long.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String name;
    /** How messages name the engine, such as {@code Dispatcher 'orders'}. */
    private final String label;
    private final KernelSpec<T> spec;
    private final KernelSink<T, R> sink;
    private final Scheduler scheduler;
    private final boolean ownsScheduler;
    private final IntakeRing<T, R> ring;
    private final KernelThreads threads;
    private final Callbacks callbacks;
    private final RetryState.Policies retryPolicies;
    private final SendGate gate;
    private final BatchLimits batching;
    private final long sendTimeoutNanos;
    private final long heartbeatPeriodNanos;
    private final int initialBatchCapacity;
    private final long backlogLimit;
    /** {@code buffer.full-behavior} and {@code buffer.block-timeout}, read once for the producers' slow paths. */
    private final FullBehavior fullBehavior;
    private final long blockTimeoutNanos;
    private final boolean listening;
    /** The durable buffer's hooks, or {@code null} for a buffer in memory only. */
    private final Journal<T> journal;
    /** Whether items of a previous run are being replayed: new items wait (see {@link #beginReplay}). */
    private volatile boolean replaying;
    /**
     * Producers on the slow path of {@link #admitJournaled}, between their journal append and their admission (or the
     * acknowledgement of their refused item);
     * {@link #fenceJournal()} sets {@link #journalFenced} and waits for this to reach zero, so the journal is never
     * closed between an append and its acknowledgement, which would leave a refused item on disk to be replayed.
     * Striped (a producer increments, then reads the flag; the fence sets the flag, then reads the sum), so
     * producers do not contend on one word as they would on a read-write lock.
     */
    private final java.util.concurrent.atomic.LongAdder journalUsers = new java.util.concurrent.atomic.LongAdder();
    private volatile boolean journalFenced;
    /** Set when an append found the journal full; the next acknowledgement wakes producers waiting for room. */
    private volatile boolean journalFull;
    /** Set by {@link #refuseNewItems()}: new items are refused while the replay may still admit. */
    private volatile boolean refusingNew;
    private final java.util.concurrent.CountDownLatch replayed = new java.util.concurrent.CountDownLatch(1);


    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition room = lock.newCondition();

    // Everything below is guarded by the lock.
    private final Lane<T, R> mainLane;
    private final Map<Object, Lane<T, R>> keyLanes;
    private final Lane<T, R> heartbeatLane;
    private final ArrayDeque<Lane<T, R>> ready = new ArrayDeque<>();
    /**
     * Open batches by when their age is up; sealed ones are dropped lazily from the head. For age cuts. When every lane
     * has the same max age, opening order is due order and a deque does (O(1)); per-lane ages need a priority queue.
     */
    private final Queue<PendingBatch<T, R>> openBatches;
    /** Batches in lanes (open or sealed), oldest first: drop-oldest's victims in O(1). */
    private PendingBatch<T, R> oldestWaiting;
    private PendingBatch<T, R> newestWaiting;
    private final Set<PendingBatch<T, R>> retrying = new LinkedHashSet<>();
    private final List<PendingBatch<T, R>> inFlight = new ArrayList<>();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final IntakeRing.Sink<T, R> appender = this::append;

    private long submitted;
    private long sent;
    private final long[] droppedByReason = new long[DropReason.values().length];
    private long retried;
    /** Written by the one replaying thread only. */
    private volatile long replayedItems;
    private long sentBatches;
    private long failedAttempts;
    private long consecutiveFailures;
    private long bufferedItems;
    private long bufferedBytes;
    private long inFlightItems;
    private int abandonedSends;
    private int lastBatchItems;
    /**
     * When the last batch was sent, in epoch milliseconds, or -1: the stats make the {@link Instant}. Not
     * {@code Instant.now()} per batch, which took 3% of the sender's time with 2 producers (async-profiler).
     */
    private long lastSentAtMillis = -1;
    /** When producers first found the buffer full, or -1; set by producers (CAS), cleared under the lock. */
    private volatile long fullSince = -1;
    private long lastLeaseAt;
    /**
     * When the ring was last seen empty by a thread that then left it unwatched (every sender busy in the sink), or
     * NOT_ARMED while a sender watches it: every item in the ring was admitted after this, so a batch opened from them
     * ages from here (see {@link #openBatch}).
     */
    private long awaySince = NOT_ARMED;
    /** Set while a sender drains the ring before leasing: it leases what it seals, so nobody else is woken for it. */
    private boolean leasing;

    private volatile boolean closed;
    private boolean stopped;
    private DropReason stopReason;
    private boolean paused;
    private boolean backlogged;
    private long ageTimerDue = NOT_ARMED;
    /** When the armed lease timer is due, or NOT_ARMED; re-armed earlier for a lane with a shorter send timeout. */
    private long leaseTimerDue = NOT_ARMED;
    private volatile boolean isDrained;
    private Scheduler.Cancellable heartbeatTimer;
    /**
     * The sender watching the ring outside the lock (spinning, then parked with the ring's drain status IDLE), or
     * {@code null}. Guarded by the lock; producers wake the ring's wake target instead (see {@link #wakeWatcher}).
     * Declared last, with the other references senders write, so that it does not share a cache line with the final
     * fields producers read on every item ({@code spec}, {@code ring}).
     */
    private Thread watcher;

    /**
     * Creates and starts a kernel: its callback and sender threads, and its timer unless one is given.
     *
     * @param spec the options
     * @param sink sends the batches
     */
    public Kernel(KernelSpec<T> spec, KernelSink<T, R> sink) {
        this(spec, sink, null);
    }

    /**
     * Creates and starts a kernel with a durable buffer: every item is appended to {@code journal} before it is
     * admitted and acknowledged there once its outcome is final.
     *
     * @param spec the options
     * @param sink sends the batches
     * @param journal the durable buffer's hooks, or {@code null}
     */
    public Kernel(KernelSpec<T> spec, KernelSink<T, R> sink, Journal<T> journal) {
        this.journal = journal;
        this.name = spec.name();
        this.label = spec.kind() + " '" + name + "'";
        this.spec = spec;
        this.sink = sink;
        this.ownsScheduler = spec.scheduler() == null;
        this.scheduler = ownsScheduler ? Scheduler.system("batcher-" + name + "-timer") : spec.scheduler();
        this.batching = spec.batching();
        this.sendTimeoutNanos = spec.sends().timeout().toNanos();
        this.heartbeatPeriodNanos = spec.rate().heartbeatPeriodNanos();
        this.initialBatchCapacity = batching.maxItems() == BatchLimits.UNLIMITED ? 64 : Math.min(batching.maxItems(), 1024);
        this.backlogLimit = Math.max(1024, spec.buffer().maxItems());
        this.fullBehavior = spec.buffer().fullBehavior();
        this.blockTimeoutNanos = spec.buffer().blockTimeout().toNanos();
        this.gate = spec.gate();
        this.listening = !spec.listener().isNoOp();
        this.retryPolicies = new RetryState.Policies(spec.retryPolicy(), spec.backOffPolicy());
        boolean keyed = spec.keyExtractor() != null;
        this.ring = new IntakeRing<>(spec.buffer().maxItems(), spec.buffer().maxBytes(), spec.sizer() != null,
                spec.costOf() != null, keyed, journal != null);
        this.openBatches = spec.lanePolicy() == null ? new ArrayDeque<>() : new PriorityQueue<>(
                (a, b) -> a.dueAt != b.dueAt ? Long.compare(a.dueAt - b.dueAt, 0) : Long.compare(a.createdAt - b.createdAt, 0));
        this.heartbeatLane = newLane(null, false);
        this.mainLane = newLane(null, spec.ordering() == Ordering.FIFO);
        this.keyLanes = keyed ? new HashMap<>() : null;
        this.lastLeaseAt = scheduler.nanoTime();
        this.threads = new KernelThreads(name, this);
        this.callbacks = new Callbacks(label, threads);
        if (heartbeatPeriodNanos > 0) {
            heartbeatTimer = scheduler.schedule(this::onHeartbeat, heartbeatPeriodNanos);
        }
        for (int i = 0; i < spec.sends().maxConcurrent(); i++) {
            threads.startSender(this::runSender);
        }
    }

    /** The engine's name. */
    public String name() {
        return name;
    }

    // ================================================================ producers

    /**
     * Admits an item: one CAS on the intake ring when there is room, the full behaviour when there is not.
     *
     * @param item the item, already checked by the engine
     * @param future completed with the item's result or drop, or {@code null} for fire-and-forget
     * @param bytes the item's size (0 without a sizer), already checked against the limits
     * @throws BufferFullException when refused; the item is counted as dropped
     * @throws SubmitInterruptedException when interrupted while blocked; counted as dropped, interrupt flag kept
     * @throws IllegalStateException when closed, or when a blocking submit comes from one of the kernel's own threads
     */
    public void admit(T item, CompletableFuture<R> future, long bytes) {
        Object key = keyOf(item);
        long cost = costOf(item);
        if (journal != null) {
            admitJournaled(item, future, bytes, cost, key);
            return;
        }
        long index = ring.claim(bytes);
        if (index < 0) {
            index = admitSlow(item, bytes, index, null, fullBehavior, blockTimeoutNanos);
        }
        ring.publish(index, item, future, bytes, cost, key, Journal.FULL);
        wakeWatcher();
    }

    /**
     * A producer published an item: wakes the ring's watcher if it is parked (one volatile read otherwise). The drain
     * status and the thread to wake live in the ring, on a line producers only read, not among this kernel's fields,
     * which senders write all the time.
     */
    private void wakeWatcher() {
        ring.wakeWatcherIfIdle();
    }

    /**
     * With a durable buffer: waits for the replay of a previous run, then admits the item and appends it to the
     * journal.
     *
     * <p>Fast path: the ring claim first (the admission and the close check, one CAS), then the append, then the
     * publish. Closing waits for every claimed slot to be published before the journal closes (the close and
     * {@link #dropAll} drain the closed ring fully, and {@link #fenceJournal()} comes after), so no append comes after
     * the journal's close, and nothing refused was appended. A claimed slot whose append fails is published as
     * nothing ({@link IntakeRing#publishNothing}).
     *
     * <p>Slow path, when the buffer or the journal is full, or closed: the append first (the full behaviour applies
     * when the journal's disk limit is reached), then the admission; a refused item is acknowledged in the journal at
     * once, so it is not replayed. These producers are counted in {@link #journalUsers} for the fence.
     */
    private void admitJournaled(T item, CompletableFuture<R> future, long bytes, long cost, Object key) {
        if (replaying) {
            awaitReplay(item, blockTimeoutNanos);
        }
        if (refusingNew) {
            throw closedException();
        }
        long index = ring.claim(bytes);
        if (index >= 0) {
            long position;
            try {
                position = appendOrFull(item);
            }
            catch (RuntimeException | Error ex) {
                ring.publishNothing(index, bytes);
                throw ex;
            }
            if (position >= 0) {
                ring.publish(index, item, future, bytes, cost, key, position);
                wakeWatcher();
                return;
            }
            ring.publishNothing(index, bytes); // the journal is full: the full behaviour decides, below
        }
        journalUsers.increment();
        try {
            if (journalFenced) {
                // The engine is closed and its journal closing.
                throw closedException();
            }
            appendAndAdmit(item, future, bytes, cost, key, fullBehavior, blockTimeoutNanos);
        }
        finally {
            journalUsers.decrement();
        }
    }

    private void appendAndAdmit(T item, CompletableFuture<R> future, long bytes, long cost, Object key,
            FullBehavior behavior, long blockNanos) {
        if (refusingNew) {
            throw closedException();
        }
        long position = ring.isClosed() ? IntakeRing.CLOSED : appendOrFull(item);
        if (position < 0) {
            position = admitSlow(item, bytes, position == IntakeRing.CLOSED ? IntakeRing.CLOSED : IntakeRing.FULL,
                    () -> ring.isClosed() ? IntakeRing.CLOSED : appendOrFull(item), behavior, blockNanos);
        }
        long index = ring.claim(bytes);
        if (index < 0) {
            try {
                index = admitSlow(item, bytes, index, null, behavior, blockNanos);
            }
            catch (RuntimeException ex) {
                journal.ack(new long[] {position}, 1);
                throw ex;
            }
        }
        ring.publish(index, item, future, bytes, cost, key, position);
        wakeWatcher();
    }

    private long appendOrFull(T item) {
        long position = journal.tryAppend(item);
        if (position < 0) {
            journalFull = true;
            return IntakeRing.FULL;
        }
        return position;
    }

    /** New items wait while a previous run's items are replayed, so that those go first; at most the block timeout. */
    private void awaitReplay(T item, long blockNanos) {
        try {
            if (replayed.await(blockNanos, TimeUnit.NANOSECONDS)) {
                return;
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new SubmitInterruptedException(label);
        }
        throw new BufferFullException(name, label + " refused the item: it is still replaying the items a previous "
                + "run left in its durable buffer, and that took longer than buffer.block-timeout="
                + spec.buffer().blockTimeout() + ". Raise buffer.block-timeout, or wait for the replay.");
    }

    /**
     * Starts replaying the items a previous run left in the durable buffer: until {@link #endReplay()}, new items wait
     * (at most {@code buffer.block-timeout}), so that replayed items go first.
     */
    public void beginReplay() {
        replaying = true;
    }

    /**
     * The first step of closing an engine with a durable buffer: new items are refused from now on, while items of a
     * previous run being replayed are still admitted, so that the drain that follows covers them too.
     */
    public void refuseNewItems() {
        refusingNew = true;
    }

    /**
     * Waits until no producer is between its journal append and its admission, and keeps every later one out (they are
     * refused, as the kernel is closed): call it after closing, before closing the journal.
     */
    public void fenceJournal() {
        journalFenced = true;
        // Those inside finish at once: the kernel is closed, so their claim fails (a producer blocked for room was
        // woken by the close).
        int spins = 0;
        while (journalUsers.sum() != 0) {
            if (++spins < 100) {
                Thread.yield();
            }
            else {
                LockSupport.parkNanos(this, 100_000);
            }
        }
    }

    /** Ends the replay: new items are admitted again. */
    public void endReplay() {
        replaying = false;
        replayed.countDown();
    }

    /**
     * Admits an item of a previous run read back from the durable buffer, at its position there: it waits for room
     * whatever the full behaviour (nothing read back is dropped for lack of room), is counted as submitted and has no
     * future.
     *
     * @param item the item
     * @param bytes its size (0 without a sizer)
     * @param position its position in the journal
     * @throws IllegalStateException when closed meanwhile (the item stays in the journal)
     * @throws SubmitInterruptedException when interrupted while waiting for room
     */
    public void admitReplayed(T item, long bytes, long position) {
        Object key = keyOf(item);
        long cost = costOf(item);
        long index = ring.claim(bytes);
        if (index < 0) {
            index = admitSlow(item, bytes, index, null, FullBehavior.BLOCK, Long.MAX_VALUE);
        }
        ring.publish(index, item, null, bytes, cost, key, position);
        replayedItems++;
        wakeWatcher();
    }

    /** The item's lane key, or {@code null} without a key extractor. */
    private Object keyOf(T item) {
        if (!ring.isKeyed()) {
            return null;
        }
        Object key = spec.keyExtractor().apply(item);
        if (key == null) {
            throw new NullPointerException(label + ": the key extractor returned null for item " + item
                    + "; per-key ordering needs a key for every item");
        }
        return key;
    }

    /** The item's cost, or 0 without a cost function. */
    private long costOf(T item) {
        return ring.isCosted() ? spec.costOf().applyAsLong(item) : 0;
    }

    /**
     * No room, or closed: refuse, block or make room, trying {@code attempt} again (a journal append; {@code null}
     * for a ring claim, so that the common case allocates nothing) until it succeeds. Returns what the attempt
     * returned, or throws.
     */
    private long admitSlow(T item, long bytes, long claim, java.util.function.LongSupplier attempt,
            FullBehavior behavior, long blockTimeoutNanos) {
        if (claim == IntakeRing.CLOSED) {
            throw closedException();
        }
        if (behavior == FullBehavior.BLOCK && KernelThreads.isOwnThread(this)) {
            throw new IllegalStateException(label + ": the buffer is full and this submit comes from the "
                    + "engine's own thread (" + Thread.currentThread().getName() + "); blocking here would wait for "
                    + "itself. Submit from another thread, or use buffer.full-behavior reject or drop-oldest.");
        }
        if (attempt == null && behavior == FullBehavior.BLOCK && ring.roomComesFromReleases()) {
            return awaitRoom(item, bytes, blockTimeoutNanos);
        }
        long blockedNanos = 0;
        DropReason refusal = null;
        String why = null;
        lock.lock();
        try {
            while (true) {
                long index = attempt == null ? ring.claim(bytes) : attempt.getAsLong();
                if (index == IntakeRing.FULL && ring.pending() > 0) {
                    // Maybe only the ring is full (its consumer lags behind): drain it here and try again.
                    drainRingFully();
                    index = attempt == null ? ring.claim(bytes) : attempt.getAsLong();
                }
                if (index >= 0) {
                    return index;
                }
                if (index == IntakeRing.CLOSED) {
                    throw closedException();
                }
                markFull();
                if (behavior == FullBehavior.REJECT) {
                    refusal = DropReason.BUFFER_FULL;
                    why = "the buffer is full (" + limitsText() + ") and buffer.full-behavior is reject";
                    break;
                }
                if (behavior == FullBehavior.DROP_OLDEST) {
                    drainRingFully();
                    if (!evictOldest()) {
                        refusal = DropReason.BUFFER_FULL;
                        why = "the buffer is full (" + limitsText() + ") and holds nothing that drop-oldest can drop";
                        break;
                    }
                    if (journalFull) {
                        // The journal frees room when the callback thread acknowledges the evicted batch: wait for
                        // that instead of evicting again at once.
                        try {
                            room.awaitNanos(TimeUnit.MILLISECONDS.toNanos(100));
                        }
                        catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                            refusal = DropReason.INTERRUPTED;
                            break;
                        }
                    }
                    continue;
                }
                long start = System.nanoTime();
                long remaining = blockTimeoutNanos - blockedNanos;
                if (remaining <= 0) {
                    refusal = DropReason.BUFFER_FULL;
                    why = stayedFullText();
                    break;
                }
                try {
                    room.awaitNanos(remaining);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    refusal = DropReason.INTERRUPTED;
                    break;
                }
                finally {
                    blockedNanos += Math.max(1L, System.nanoTime() - start);
                }
            }
            countRefused(item, refusal);
        }
        finally {
            lock.unlock();
            producerBlocked(blockedNanos);
        }
        throw refused(refusal, why);
    }

    /**
     * {@code block} when only an outcome can make room: waits in the ring, without this kernel's lock. Senders and
     * the timer take that lock all the time; producers parked on it made every unlock wake one of them (40% of the
     * sender's CPU with one producer), and a woken producer then fought the sender for it.
     */
    private long awaitRoom(T item, long bytes, long timeoutNanos) {
        markFull();
        long start = System.nanoTime();
        long index = ring.claimWaiting(bytes, timeoutNanos);
        producerBlocked(Math.max(1L, System.nanoTime() - start));
        if (index >= 0) {
            return index;
        }
        if (index == IntakeRing.CLOSED) {
            throw closedException();
        }
        DropReason refusal = index == IntakeRing.INTERRUPTED ? DropReason.INTERRUPTED : DropReason.BUFFER_FULL;
        lock.lock();
        try {
            countRefused(item, refusal);
        }
        finally {
            lock.unlock();
        }
        throw refused(refusal, stayedFullText());
    }

    /** Notes when the buffer was first found full (for stats), unless it is already noted. */
    private void markFull() {
        if (fullSince < 0) {
            FULL_SINCE.compareAndSet(this, -1L, scheduler.nanoTime());
        }
    }

    /** Under the lock: an item refused at admission is counted as submitted and dropped, and its drop reported. */
    private void countRefused(T item, DropReason refusal) {
        submitted++;
        droppedByReason[refusal.ordinal()]++;
        callbacks.settle(0, () -> reportDrop(List.of(item), refusal, null));
    }

    private RuntimeException refused(DropReason refusal, String why) {
        if (refusal == DropReason.INTERRUPTED) {
            return new SubmitInterruptedException(label);
        }
        return new BufferFullException(name, label + " refused the item: " + why + ". Raise buffer.max-items, "
                + "send faster (max-concurrent-sends, max-batch-items), or choose another buffer.full-behavior.");
    }

    /** A producer waited {@code nanos} for room: tells the listener, if there is one. */
    private void producerBlocked(long nanos) {
        if (nanos > 0 && listening) {
            callbacks.event(() -> spec.listener().onProducerBlocked(nanos));
        }
    }

    private String stayedFullText() {
        return "the buffer stayed full for buffer.block-timeout=" + spec.buffer().blockTimeout() + " (" + limitsText()
                + ")";
    }

    private String limitsText() {
        return "buffer.max-items=" + spec.buffer().maxItems()
                + (spec.buffer().maxBytes() > 0 ? ", buffer.max-bytes=" + spec.buffer().maxBytes() : "");
    }

    private IllegalStateException closedException() {
        return new IllegalStateException(label + " is closed and accepts no more items");
    }

    // ================================================================ the ring's consumer

    /**
     * A sender with nothing to send, outside the lock: watches the ring for {@value IdleWait#WAIT_NANOS} ns, then parks
     * until a producer publishes (it finds the ring's drain status IDLE and wakes the watcher) or the kernel has work
     * for it ({@link #signalWatcher}). Returns when items or work may be there; the caller looks under the lock.
     */
    private void watch(int ahead) {
        // Watch slots, not the producers' index: reading that index pulled its cache line away from the producers
        // after every item, and their claim CAS then paid a cache miss each time.
        if (awaitItemsBriefly(ahead) || ring.hasPublished()) {
            return;
        }
        if (ring.pending() > 0) {
            // A producer claimed a slot but has not published it yet (preempted in between): give it the core.
            Thread.yield();
            return;
        }
        ring.parkWatcherIfEmpty(this);
    }

    /**
     * Before going idle, watches the ring until {@code ahead} items are published, as {@link IdleWait} says (spins,
     * then yields, for {@value IdleWait#WAIT_NANOS} ns), or until the kernel has work for the watcher: under a steady
     * stream the next items come sooner than a park and unpark would take, and producers then never pay for waking the
     * watcher. Waiting for a few items rather than the next one keeps the watcher off the cache line that producers
     * are writing (moving each item as it comes made that line change cores twice per item). Idle after that: no
     * CPU.
     *
     * @return whether {@code ahead} items are there
     */
    private boolean awaitItemsBriefly(int ahead) {
        long start = System.nanoTime();
        for (int step = 1; !ring.hasPublished(ahead); step++) {
            // The drain status is read only once the watcher yields, not on every spin: its cache line is the
            // producers' (they read it after every publish and write their limit beside it).
            if (!IdleWait.pause(step, start) || !IdleWait.spinning(step) && ring.watcherRequired()) {
                return false;
            }
        }
        return true;
    }

    /** Under the lock: moves up to {@code max} published items from the ring into batches; returns how many. */
    private int drainRing(int max) {
        if (!ring.isPlain()) {
            return ring.drain(appender, max);
        }
        // One lane, no bytes, costs or keys: fill the open batch in runs, counting once per run.
        int moved = 0;
        while (moved < max) {
            if (mainLane.open == null && !ring.hasPublished()) {
                break;
            }
            PendingBatch<T, R> batch = mainLane.open != null ? mainLane.open : openBatch(mainLane);
            int room = mainLane.limits.maxItems() == BatchLimits.UNLIMITED ? max - moved
                    : Math.min(max - moved, mainLane.limits.maxItems() - batch.size());
            int n = ring.drainInto(batch, room);
            if (n == 0) {
                break;
            }
            moved += n;
            submitted += n;
            bufferedItems += n;
            if (mainLane.limits.isFull(batch.size(), 0)) {
                seal(mainLane);
            }
        }
        return moved;
    }

    /**
     * Under the lock: how many items a watcher waits for before it moves them: a cache line of slots, fewer when the
     * open batch has less room or the buffer holds fewer (the wait is bounded by {@value IdleWait#WAIT_NANOS} ns
     * anyway).
     */
    private int watchAhead() {
        int ahead = Math.min(WATCH_AHEAD, spec.buffer().maxItems());
        if (mainLane.limits.maxItems() != BatchLimits.UNLIMITED) {
            int room = mainLane.limits.maxItems() - (mainLane.open != null ? mainLane.open.size() : 0);
            ahead = Math.min(ahead, room);
        }
        return Math.max(1, ahead);
    }

    /**
     * Under the lock, for a sender: moves up to {@link #DRAIN_CHUNK} items from the ring into batches, then leases the
     * next sendable batch, if any. A sender that leaves for the sink while others wait for work wakes one of them to
     * watch the ring; with nobody left to watch it, notes when the ring was last empty ({@link #awaySince}).
     */
    private PendingBatch<T, R> leaseNext() {
        leasing = true;
        int moved;
        try {
            moved = drainRing(DRAIN_CHUNK);
        }
        finally {
            leasing = false;
        }
        PendingBatch<T, R> batch = tryLease();
        if (batch != null && watcher == null) {
            if (lock.hasWaiters(work)) {
                work.signal(); // one of them watches the ring while this one sends
            }
            else if (moved < DRAIN_CHUNK || awaySince == NOT_ARMED) {
                awaySince = lastLeaseAt; // nobody watches: what comes next ages from now (the lease just read the clock)
            }
        }
        return batch;
    }

    /**
     * Under the lock: moves into batches the items published when called, up to the first slot a producer claimed and
     * has not published yet, without waiting for it (it may be writing its item to a durable log, or be preempted):
     * what the age cut drains. The sender that watches the ring drains that slot once it is published.
     */
    private void drainRingPublished() {
        long left = ring.admitted() - ring.consumed();
        if (left > 0) {
            drainRing((int) Math.min(left, Integer.MAX_VALUE));
        }
    }

    /**
     * Under the lock: moves every item admitted before the call into batches, spinning (then yielding) for a claimed
     * slot until its producer publishes it: what {@code flush}, {@code close} and a producer that finds only the ring
     * full need; not the age cut, which must not hold the lock while a producer writes to a durable log. Items
     * admitted during the call are left to the ring's consumer, so that the work is bounded even while producers keep
     * the ring busy (a timer or a flush draining "until empty" under a steady stream held the lock and a core for as
     * long as the stream lasted).
     */
    private void drainRingFully() {
        long target = ring.admitted();
        int spins = 0;
        long left;
        while ((left = target - ring.consumed()) > 0) {
            if (drainRing((int) Math.min(left, Integer.MAX_VALUE)) == 0 && ++spins > 64) {
                Thread.yield();
            }
        }
    }

    private Lane<T, R> newLane(Object key, boolean exclusive) {
        LanePolicy policy = key != null && spec.lanePolicy() != null ? spec.lanePolicy().apply(key) : null;
        BatchLimits limits = policy != null && policy.batching() != null ? policy.batching() : batching;
        Duration timeout = policy != null && policy.sendTimeout() != null ? policy.sendTimeout() : spec.sends().timeout();
        return new Lane<>(key, exclusive, limits, timeout.toNanos());
    }

    private Lane<T, R> keyLane(Object key) {
        return newLane(key, spec.ordering() == Ordering.PER_KEY);
    }

    /** Under the lock: adds one drained item to its lane's open batch, cutting by count and bytes. */
    private void append(T item, CompletableFuture<R> future, long bytes, long cost, Object key, long position) {
        Lane<T, R> lane = key == null ? mainLane : keyLanes.computeIfAbsent(key, this::keyLane);
        PendingBatch<T, R> batch = lane.open;
        if (batch != null && lane.limits.overflows(batch.bytes(), bytes)) {
            seal(lane);
            batch = null;
        }
        if (batch == null) {
            batch = openBatch(lane);
        }
        batch.add(item, future, bytes, cost, position);
        submitted++;
        bufferedItems++;
        bufferedBytes += bytes;
        if (lane.limits.isFull(batch.size(), batch.bytes())) {
            seal(lane);
        }
    }

    /** Under the lock: opens a new batch in the lane and makes sure an age timer will cut it. */
    private PendingBatch<T, R> openBatch(Lane<T, R> lane) {
        long now = scheduler.nanoTime();
        PendingBatch<T, R> batch = new PendingBatch<>(lane, now, initialBatchCapacity);
        // Items that waited in an unwatched ring (every sender in the sink) age from when it was last empty.
        long start = awaySince != NOT_ARMED && awaySince - now < 0 ? awaySince : now;
        batch.dueAt = start + lane.maxAgeNanos;
        lane.open = batch;
        PendingBatch<T, R> head;
        while ((head = openBatches.peek()) != null && head.place != PendingBatch.Place.OPEN) {
            openBatches.poll();
        }
        openBatches.add(batch);
        linkNewest(batch);
        armAgeTimer(batch.dueAt, now);
        return batch;
    }

    /** Cuts the lane's open batch and makes it sendable. */
    private void seal(Lane<T, R> lane) {
        PendingBatch<T, R> batch = lane.open;
        lane.open = null;
        batch.place = PendingBatch.Place.SEALED;
        lane.sealed.addLast(batch);
        if (openBatches.peek() == batch) {
            openBatches.poll();
        }
        offerReady(lane, false);
    }

    private void offerReady(Lane<T, R> lane, boolean first) {
        if (!lane.sendable()) {
            return;
        }
        if (!lane.queued) {
            lane.queued = true;
            if (first) {
                ready.addFirst(lane);
            }
            else {
                ready.addLast(lane);
            }
        }
        if (!leasing) {
            signalWork();
        }
    }

    /**
     * Under the lock: a batch is ready. Wakes a sender waiting for work, or else the watcher (which then stops
     * watching to lease it).
     */
    private void signalWork() {
        if (lock.hasWaiters(work)) {
            work.signal();
        }
        else {
            signalWatcher();
        }
    }

    /** Under the lock: wakes every sender, the watcher included (drain, stop, pause and resume). */
    private void signalAllWork() {
        work.signalAll();
        signalWatcher();
    }

    /** Under the lock: wakes the watcher, spinning or parked, so that it looks at the kernel's state again. */
    private void signalWatcher() {
        if (watcher != null) {
            ring.requireWatcher(watcher);
        }
    }

    // ---------------------------------------------------------------- the waiting list (oldest first)

    private void linkNewest(PendingBatch<T, R> batch) {
        batch.linked = true;
        batch.olderWaiting = newestWaiting;
        batch.newerWaiting = null;
        if (newestWaiting != null) {
            newestWaiting.newerWaiting = batch;
        }
        else {
            oldestWaiting = batch;
        }
        newestWaiting = batch;
    }

    private void linkOldest(PendingBatch<T, R> batch) {
        batch.linked = true;
        batch.newerWaiting = oldestWaiting;
        batch.olderWaiting = null;
        if (oldestWaiting != null) {
            oldestWaiting.olderWaiting = batch;
        }
        else {
            newestWaiting = batch;
        }
        oldestWaiting = batch;
    }

    private void unlink(PendingBatch<T, R> batch) {
        if (!batch.linked) {
            return;
        }
        batch.linked = false;
        if (batch.olderWaiting != null) {
            batch.olderWaiting.newerWaiting = batch.newerWaiting;
        }
        else {
            oldestWaiting = batch.newerWaiting;
        }
        if (batch.newerWaiting != null) {
            batch.newerWaiting.olderWaiting = batch.olderWaiting;
        }
        else {
            newestWaiting = batch.olderWaiting;
        }
        batch.olderWaiting = null;
        batch.newerWaiting = null;
    }

    /**
     * Drop-oldest (luci DropOldestBatch): drops the oldest batch waiting in a lane, else the oldest waiting for a
     * retry, else the oldest being sent (its later outcome is ignored). Under the lock.
     *
     * @return whether something was dropped
     */
    private boolean evictOldest() {
        PendingBatch<T, R> victim = oldestWaiting;
        boolean leftItsLane = false;
        if (victim != null) {
            Lane<T, R> lane = victim.lane;
            unlink(victim);
            if (lane.open == victim) {
                lane.open = null;
            }
            else {
                lane.sealed.remove(victim);
            }
            forgetIfIdle(lane);
            bufferedItems -= victim.size();
            bufferedBytes -= victim.bytes();
        }
        else if (!retrying.isEmpty()) {
            victim = retrying.iterator().next();
            retrying.remove(victim);
            victim.retryTimer.cancel();
            bufferedItems -= victim.size();
            bufferedBytes -= victim.bytes();
            leftItsLane = true;
        }
        else {
            victim = oldestInFlight();
            if (victim == null) {
                return false;
            }
            // Dropped while being sent: its thread is interrupted, as for a timeout or a stop, so that a sink that
            // honours interrupts stops writing what is reported dropped.
            if (victim.abandon(victim.attempt, true) == PendingBatch.SENDING) {
                abandonedSends++;
            }
            unlease(victim);
            leftItsLane = true;
        }
        // Counted (and its settlement queued) before its lane is released: releasing may announce the drain, which
        // must come after every settlement.
        dropCounted(List.of(victim), DropReason.OLDEST_DROPPED, null);
        if (leftItsLane) {
            releaseLane(victim.lane);
        }
        return true;
    }

    private PendingBatch<T, R> oldestInFlight() {
        for (PendingBatch<T, R> batch : inFlight) {
            if (batch.size() > 0) {
                return batch;
            }
        }
        return null;
    }

    // ================================================================ timers (state changes only, never user code)

    /** Cuts every open batch older than max-batch-age, then re-arms for the next one. */
    private void onAgeTimer() {
        lock.lock();
        try {
            if (ageTimerDue != NOT_ARMED && scheduler.nanoTime() - ageTimerDue < 0) {
                return; // superseded by a timer armed for an earlier batch; that one re-arms
            }
            ageTimerDue = NOT_ARMED;
            if (stopped) {
                return;
            }
            drainRingPublished();
            long now = scheduler.nanoTime();
            PendingBatch<T, R> batch;
            while ((batch = openBatches.peek()) != null) {
                if (batch.place != PendingBatch.Place.OPEN || batch.lane.open != batch) {
                    openBatches.poll();
                    continue;
                }
                long due = batch.dueAt - now;
                if (due > 0) {
                    armAgeTimer(batch.dueAt, now); // (a batch opened by the drain above may have armed one already)
                    break;
                }
                seal(batch.lane);
            }
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Abandons attempts running past send-timeout (interrupting their threads, which keep their send slot until they
     * return) and hands each to the callback thread for the retry decision; re-arms for the next one.
     */
    private void onLeaseTimer() {
        lock.lock();
        try {
            long now = scheduler.nanoTime();
            if (leaseTimerDue != NOT_ARMED && now - leaseTimerDue < 0) {
                return; // superseded by a timer armed for an earlier lease; that one re-arms
            }
            leaseTimerDue = NOT_ARMED;
            if (isDrained) {
                return;
            }
            long nextDue = Long.MAX_VALUE;
            for (PendingBatch<T, R> batch : inFlight) {
                if (batch.phase() != PendingBatch.SENDING) {
                    continue;
                }
                long due = batch.sendingSince() + batch.lane.timeoutNanos - now;
                if (due > 0) {
                    nextDue = Math.min(nextDue, due);
                    continue;
                }
                int attempt = batch.attempt;
                if (batch.abandon(attempt, true) == PendingBatch.SENDING) {
                    abandonedSends++;
                    SendTimeoutException timeout = new SendTimeoutException(spec.kind(), name,
                            Duration.ofNanos(batch.lane.timeoutNanos));
                    int items = batch.size();
                    long batchBytes = batch.bytes();
                    long took = batch.lane.timeoutNanos;
                    callbacks.event(() -> spec.listener().onSendCompleted(items, batchBytes, took,
                            SendOutcome.TIMEOUT));
                    callbacks.settle(0, () -> decide(batch, attempt, timeout));
                }
            }
            if (nextDue != Long.MAX_VALUE || hasLeased()) {
                armLeaseTimer(nextDue == Long.MAX_VALUE ? sendTimeoutNanos : nextDue, now);
            }
        }
        finally {
            lock.unlock();
        }
    }

    private boolean hasLeased() {
        for (PendingBatch<T, R> batch : inFlight) {
            int phase = batch.phase();
            if (phase == PendingBatch.LEASED || phase == PendingBatch.SENDING) {
                return true;
            }
        }
        return false;
    }

    /** Arms the lease timer for {@code delay} from now unless it is already armed for that time or earlier. */
    /**
     * Under the lock: makes sure an age timer fires at {@code dueAt}, unless one is armed for an earlier time (that one
     * re-arms for the next batch). A timer that finds one armed earlier than itself returns ({@link #onAgeTimer}).
     */
    private void armAgeTimer(long dueAt, long now) {
        if (ageTimerDue == NOT_ARMED || dueAt - ageTimerDue < 0) {
            ageTimerDue = dueAt;
            scheduler.schedule(this::onAgeTimer, dueAt - now);
        }
    }

    private void armLeaseTimer(long delay, long now) {
        long due = now + delay;
        if (leaseTimerDue == NOT_ARMED || due - leaseTimerDue < 0) {
            leaseTimerDue = due;
            scheduler.schedule(this::onLeaseTimer, delay);
        }
    }

    /** Queues an empty batch when nothing was sent for a heartbeat period (min-batches-per-second). */
    private void onHeartbeat() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long now = scheduler.nanoTime();
            long idleFor = now - lastLeaseAt;
            if (idleFor >= heartbeatPeriodNanos && heartbeatLane.sealed.isEmpty()) {
                PendingBatch<T, R> beat = new PendingBatch<>(heartbeatLane, now, 1);
                beat.place = PendingBatch.Place.SEALED;
                heartbeatLane.sealed.add(beat);
                offerReady(heartbeatLane, true);
                idleFor = 0;
            }
            heartbeatTimer = scheduler.schedule(this::onHeartbeat, heartbeatPeriodNanos - idleFor);
        }
        finally {
            lock.unlock();
        }
    }

    private void onRetryDue(PendingBatch<T, R> batch) {
        lock.lock();
        try {
            if (!retrying.remove(batch)) {
                return;
            }
            batch.retryTimer = null;
            batch.place = PendingBatch.Place.SEALED;
            Lane<T, R> lane = batch.lane;
            lane.sealed.addFirst(batch);
            linkOldest(batch);
            if (lane.exclusive) {
                lane.busy = false;
            }
            offerReady(lane, true);
        }
        finally {
            lock.unlock();
        }
    }

    // ================================================================ senders

    private void runSender() {
        PendingBatch<T, R> next = null;
        while (true) {
            PendingBatch<T, R> batch = next;
            next = null;
            try {
                if (batch == null) {
                    batch = take();
                    if (batch == null) {
                        return;
                    }
                }
                next = attempt(batch, batch.attempt);
            }
            catch (Throwable ex) {
                // Nothing may end a sender loop (LMAX BatchEventProcessor): log and serve on.
                LOG.log(Level.ERROR, label + ": unexpected error in a sender loop; it keeps running", ex);
            }
            finally {
                Thread.interrupted();
            }
        }
    }

    /**
     * Leases the next sendable batch, moving items from the ring into batches, and waiting for one: as the ring's
     * watcher if nobody watches it, or else for work. {@code null} when drained or stopped.
     */
    private PendingBatch<T, R> take() {
        lock.lock();
        try {
            while (!isDrained && !(stopped && inFlight.isEmpty() && ready.isEmpty() && ring.pending() == 0)) {
                PendingBatch<T, R> batch = leaseNext();
                if (batch != null) {
                    return batch;
                }
                if (watcher == null) {
                    // Only the watcher writes PROCESSING (and IDLE): a sender that merely waits for work must not
                    // overwrite the IDLE of a parked watcher, or producers would stop waking it.
                    watcher = Thread.currentThread();
                    awaySince = NOT_ARMED;
                    ring.startWatching(watcher);
                    int ahead = watchAhead();
                    lock.unlock();
                    try {
                        watch(ahead);
                    }
                    finally {
                        lock.lock();
                        watcher = null;
                    }
                }
                else {
                    work.awaitUninterruptibly();
                }
            }
            return null;
        }
        finally {
            lock.unlock();
        }
    }

    /** One attempt of a leased batch, outside the lock: permits, ownership check, send, settle. */
    private PendingBatch<T, R> attempt(PendingBatch<T, R> batch, int attemptNo) {
        Throwable error = null;
        List<? extends R> results = null;
        try {
            if (!awaitPermits(batch, attemptNo)) {
                Thread.interrupted(); // abandoned while leased: its interrupt must not reach the next attempt
                return null;
            }
        }
        catch (Throwable ex) {
            error = ex;
        }
        if (error == null) {
            long deadline = System.currentTimeMillis() + TimeUnit.NANOSECONDS.toMillis(batch.lane.timeoutNanos);
            if (!batch.startSending(attemptNo, scheduler.nanoTime(), deadline)) {
                Thread.interrupted(); // abandoned while leased: its interrupt must not reach the next attempt
                return null;
            }
            long start = listening ? System.nanoTime() : 0;
            try {
                results = sink.send(batch);
            }
            catch (Throwable ex) {
                error = ex;
            }
            long took = listening ? System.nanoTime() - start : 0;
            boolean mine = batch.finishSending(attemptNo);
            Thread.interrupted();
            if (!mine) {
                abandonedReturned();
                return null;
            }
            if (listening) {
                SendOutcome outcome = error == null ? SendOutcome.SUCCESS : SendOutcome.FAILURE;
                int items = batch.size();
                long batchBytes = batch.bytes();
                callbacks.event(() -> spec.listener().onSendCompleted(items, batchBytes, took, outcome));
            }
        }
        else if (batch.abandon(attemptNo, false) < 0) {
            return null;
        }
        if (error == null) {
            return sent(batch, results);
        }
        decide(batch, attemptNo, error);
        return null;
    }

    /**
     * Takes the batch's permits from the gate, waiting on the scheduler when refused; outside every lock.
     *
     * @return {@code false} if the attempt was abandoned (stop, drop-oldest) while waiting
     */
    private boolean awaitPermits(PendingBatch<T, R> batch, int attemptNo) {
        if (gate == null || batch.size() == 0) {
            return true;
        }
        long cost = spec.costOf() != null ? Math.max(1, batch.cost()) : 1;
        long wait;
        while ((wait = gate.tryAcquire(cost)) > 0) {
            Thread self = Thread.currentThread();
            boolean[] due = new boolean[1];
            Scheduler.Cancellable timer = scheduler.schedule(() -> {
                synchronized (due) {
                    due[0] = true;
                }
                LockSupport.unpark(self);
            }, wait);
            while (true) {
                synchronized (due) {
                    if (due[0]) {
                        break;
                    }
                }
                if (batch.phase() != PendingBatch.LEASED || batch.attempt != attemptNo) {
                    timer.cancel();
                    return false;
                }
                LockSupport.park(this);
                Thread.interrupted();
            }
        }
        return true;
    }

    /** An abandoned attempt's thread came back from the sink: it frees its slot; its outcome is ignored. */
    private void abandonedReturned() {
        lock.lock();
        try {
            abandonedSends--;
        }
        finally {
            lock.unlock();
        }
    }

    /** Under the lock: leases the next sendable batch if there is one; never waits. */
    private PendingBatch<T, R> tryLease() {
        if (paused || stopped || isDrained) {
            return null;
        }
        if (callbacks.backlogItems() > backlogLimit) {
            // Callbacks (future continuations, drop handlers) lag far behind: hold new sends until they catch up,
            // so that their backlog stays bounded.
            if (!backlogged) {
                backlogged = true;
                scheduler.schedule(this::recheckBacklog, TimeUnit.MILLISECONDS.toNanos(1));
            }
            return null;
        }
        Lane<T, R> lane;
        while ((lane = ready.peekFirst()) != null && !lane.sendable()) {
            ready.pollFirst();
            lane.queued = false;
        }
        return lane == null ? null : lease(lane);
    }

    private void recheckBacklog() {
        lock.lock();
        try {
            if (backlogged && callbacks.backlogItems() <= backlogLimit) {
                backlogged = false;
                signalAllWork();
            }
            else if (backlogged) {
                scheduler.schedule(this::recheckBacklog, TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        finally {
            lock.unlock();
        }
    }

    private PendingBatch<T, R> lease(Lane<T, R> lane) {
        PendingBatch<T, R> batch = lane.sealed.pollFirst();
        unlink(batch);
        if (lane.exclusive) {
            lane.busy = true;
        }
        if (!lane.sendable()) {
            ready.pollFirst();
            lane.queued = false;
        }
        bufferedItems -= batch.size();
        bufferedBytes -= batch.bytes();
        inFlightItems += batch.size();
        inFlight.add(batch);
        batch.place = PendingBatch.Place.IN_FLIGHT;
        long now = scheduler.nanoTime();
        lastLeaseAt = now;
        armLeaseTimer(batch.lane.timeoutNanos, now);
        // Every interrupt aimed at an attempt (timeout, drop-oldest, stop) is sent under this lock, so one aimed at
        // this thread's previous lease has landed by now, possibly after that attempt's own cleanup: clear it, or it
        // would interrupt this live attempt.
        Thread.interrupted();
        batch.lease();
        if (!ready.isEmpty()) {
            signalWork();
        }
        return batch;
    }

    /** A batch was sent: counted, futures completed on the callback thread; leases the next one in the same step. */
    private PendingBatch<T, R> sent(PendingBatch<T, R> batch, List<? extends R> results) {
        lock.lock();
        try {
            if (batch.place != PendingBatch.Place.IN_FLIGHT) {
                return null;
            }
            unlease(batch);
            batch.place = PendingBatch.Place.SETTLED;
            sent += batch.size();
            sentBatches++;
            consecutiveFailures = 0;
            if (batch.size() > 0) {
                lastBatchItems = batch.size();
                lastSentAtMillis = System.currentTimeMillis();
            }
            ring.release(batch.size(), batch.bytes());
            acknowledge(batch);
            if (batch.hasFutures() || batch.barriers != null) {
                callbacks.settle(batch.size(), () -> {
                    batch.completeSent(results);
                    settleBarriers(batch);
                });
            }
            releaseLane(batch.lane);
            return leaseNext();
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * A failed attempt: error handler, then retry and back-off policies, outside the lock; then retry later or drop.
     * Runs on the sender thread, or on the callback thread for a timed-out attempt.
     */
    private void decide(PendingBatch<T, R> batch, int attemptNo, Throwable error) {
        long delay = -1;
        DropReason reason = DropReason.NOT_RETRYABLE;
        if (batch.size() > 0) {
            boolean retry;
            try {
                retry = spec.errorHandler().shouldRetry(batch, error);
            }
            catch (Throwable ex) {
                LOG.log(Level.ERROR, label + ": error handler failed; dropping the batch", ex);
                retry = false;
            }
            if (retry) {
                reason = DropReason.RETRIES_EXHAUSTED;
                try {
                    if (batch.retry == null) {
                        batch.retry = retryPolicies.open();
                    }
                    delay = batch.retry.onFailure(error);
                }
                catch (Throwable ex) {
                    LOG.log(Level.ERROR, label + ": retry policy failed; dropping the batch", ex);
                    delay = -1;
                }
            }
        }
        lock.lock();
        try {
            if (batch.place != PendingBatch.Place.IN_FLIGHT || batch.attempt != attemptNo) {
                return;
            }
            unlease(batch);
            failedAttempts++;
            consecutiveFailures++;
            if (batch.size() == 0) {
                settleEmpty(batch);
                releaseLane(batch.lane);
            }
            else if (delay >= 0 && stopReason == null) {
                long wait = delay;
                LOG.log(Level.DEBUG, () -> label + ": attempt " + attemptNo + " of " + batch + " failed ("
                        + error + "); retrying in " + Duration.ofNanos(wait));
                retried += batch.size();
                bufferedItems += batch.size();
                bufferedBytes += batch.bytes();
                batch.place = PendingBatch.Place.RETRYING;
                retrying.add(batch);
                batch.retryTimer = scheduler.schedule(() -> onRetryDue(batch), delay);
            }
            else {
                dropCounted(List.of(batch), stopReason != null ? stopReason : reason, error);
                releaseLane(batch.lane);
            }
        }
        finally {
            lock.unlock();
        }
    }

    private void unlease(PendingBatch<T, R> batch) {
        inFlight.remove(batch);
        inFlightItems -= batch.size();
    }

    /** A batch of the lane left or its lease ended: free the lane, wake producers, maybe finish the drain. */
    private void releaseLane(Lane<T, R> lane) {
        if (lane.exclusive) {
            lane.busy = false;
        }
        offerReady(lane, false);
        forgetIfIdle(lane);
        if (fullSince >= 0 && ring.hasRoom(0)) {
            fullSince = -1;
        }
        room.signalAll();
        checkDrained();
    }

    private void forgetIfIdle(Lane<T, R> lane) {
        if (keyLanes != null && lane.idle() && lane.key != null) {
            keyLanes.remove(lane.key, lane);
        }
    }

    // ================================================================ outcomes

    /**
     * Under the lock: counts batches as dropped (they already left the lanes and the in-flight list), gives their room
     * back, and queues the drop handler and the futures on the callback thread.
     */
    private void dropCounted(List<PendingBatch<T, R>> batches, DropReason reason, Throwable cause) {
        int items = 0;
        boolean keep = reason == DropReason.SHUTDOWN || reason == DropReason.CANCELLED;
        for (PendingBatch<T, R> batch : batches) {
            batch.place = PendingBatch.Place.SETTLED;
            droppedByReason[reason.ordinal()] += batch.size();
            ring.release(batch.size(), batch.bytes());
            if (!keep) {
                acknowledge(batch);
            }
            items += batch.size();
        }
        callbacks.settle(items, () -> {
            ItemDroppedException failure = new ItemDroppedException(spec.kind(), name, reason, cause);
            for (PendingBatch<T, R> batch : batches) {
                if (batch.size() > 0) {
                    reportDrop(batch.items(), reason, cause);
                }
                batch.completeDropped(failure);
                settleBarriers(batch);
            }
        });
    }

    /**
     * Under the lock: the batch's outcome is final, so its items leave the durable buffer. Items dropped because the
     * engine stopped are not acknowledged: they are replayed on the next start.
     */
    private void acknowledge(PendingBatch<T, R> batch) {
        long[] positions = batch.positions();
        if (journal != null && positions != null) {
            // On the callback thread, in the order outcomes were counted (so before the drained notice): the
            // journal's acknowledgement takes the journal's own lock (its flusher holds it while it writes the
            // acknowledgement files), which must not hold up the lock every producer and sender needs.
            int count = batch.size();
            callbacks.settle(0, () -> acknowledgeNow(positions, count));
        }
    }

    private void acknowledgeNow(long[] positions, int count) {
        try {
            journal.ack(positions, count);
        }
        catch (RuntimeException ex) {
            LOG.log(Level.ERROR, label + ": acknowledging " + count + " item(s) in the durable buffer failed; they "
                    + "will be sent again after a restart", ex);
        }
        if (journalFull) {
            // A producer waits for room in the journal: the acknowledgement may have made some.
            journalFull = false;
            lock.lock();
            try {
                room.signalAll();
            }
            finally {
                lock.unlock();
            }
        }
    }

    /** Under the lock: a heartbeat batch ends; nothing to count, but a flush may wait for it. */
    private void settleEmpty(PendingBatch<T, R> batch) {
        batch.place = PendingBatch.Place.SETTLED;
        if (batch.barriers != null) {
            callbacks.settle(0, () -> settleBarriers(batch));
        }
    }

    private void reportDrop(List<T> items, DropReason reason, Throwable cause) {
        DropHandler<T> handler = spec.dropHandler();
        if (handler == null) {
            LOG.log(Level.WARNING, () -> label + " dropped " + items.size() + " item(s): " + reason.tagValue()
                    + (cause != null ? " (" + cause + ")" : ""));
            return;
        }
        try {
            handler.onDrop(items, reason, cause);
        }
        catch (Throwable ex) {
            LOG.log(Level.ERROR, label + ": drop handler failed", ex);
        }
    }

    private static void settleBarriers(PendingBatch<?, ?> batch) {
        List<Barrier> barriers = batch.barriers;
        if (barriers != null) {
            for (Barrier barrier : barriers) {
                barrier.batchSettled();
            }
        }
    }

    // ================================================================ control

    /**
     * Cuts every open batch now.
     *
     * @return completed once every item admitted before the call is settled (futures done, drop handlers called)
     */
    public CompletableFuture<Void> flush() {
        lock.lock();
        try {
            drainRingFully();
            sealAllOpen();
            List<PendingBatch<T, R>> live = new ArrayList<>(inFlight);
            live.addAll(retrying);
            for (PendingBatch<T, R> b = oldestWaiting; b != null; b = b.newerWaiting) {
                live.add(b);
            }
            Barrier barrier = new Barrier(live.size());
            if (live.isEmpty()) {
                callbacks.settle(0, () -> barrier.future.complete(null));
            }
            for (PendingBatch<T, R> batch : live) {
                batch.addBarrier(barrier);
            }
            if (isDrained) {
                barrier.future.complete(null);
            }
            return barrier.future;
        }
        finally {
            lock.unlock();
        }
    }

    private void sealAllOpen() {
        PendingBatch<T, R> batch;
        while ((batch = openBatches.poll()) != null) {
            if (batch.place == PendingBatch.Place.OPEN && batch.lane.open == batch) {
                seal(batch.lane);
            }
        }
    }

    /**
     * Stops or restarts leasing batches to senders.
     *
     * @throws IllegalStateException when pausing a closing or closed kernel: a pause would stall its drain
     */
    public void setPaused(boolean pause) {
        lock.lock();
        try {
            if (pause && closed) {
                throw new IllegalStateException(label + " is closing; pause refused (it would stall the drain)");
            }
            this.paused = pause;
            signalAllWork();
        }
        finally {
            lock.unlock();
        }
    }

    /** Stops accepting items and cuts every open batch; what is buffered is still sent. */
    public void close() {
        ring.close();
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                paused = false;
                drainRingFully();
                sealAllOpen();
                cancelHeartbeat();
                room.signalAll();
                signalAllWork();
                checkDrained();
            }
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Stops: drops everything waiting or being sent with {@code reason}, interrupting running sends. A sender thread
     * stuck in the sink keeps running until it returns; its outcome is ignored.
     */
    public void dropAll(DropReason reason) {
        ring.close();
        lock.lock();
        try {
            closed = true;
            stopped = true;
            if (stopReason == null) {
                stopReason = reason;
            }
            cancelHeartbeat();
            drainRingFully();
            List<PendingBatch<T, R>> dropped = new ArrayList<>();
            for (PendingBatch<T, R> b = oldestWaiting; b != null; b = b.newerWaiting) {
                dropped.add(b);
            }
            oldestWaiting = null;
            newestWaiting = null;
            for (PendingBatch<T, R> batch : dropped) {
                batch.linked = false;
                bufferedItems -= batch.size();
                bufferedBytes -= batch.bytes();
            }
            for (PendingBatch<T, R> batch : retrying) {
                batch.retryTimer.cancel();
                bufferedItems -= batch.size();
                bufferedBytes -= batch.bytes();
                dropped.add(batch);
            }
            retrying.clear();
            for (PendingBatch<T, R> batch : new ArrayList<>(inFlight)) {
                int phase = batch.abandon(batch.attempt, true);
                if (phase >= 0) {
                    if (phase == PendingBatch.SENDING) {
                        abandonedSends++;
                    }
                    unlease(batch);
                    dropped.add(batch);
                }
            }
            for (Lane<T, R> lane : allLanes()) {
                lane.sealed.clear();
                lane.open = null;
                lane.busy = false;
                lane.queued = false;
            }
            openBatches.clear();
            ready.clear();
            if (keyLanes != null) {
                keyLanes.clear();
            }
            dropped.removeIf(batch -> {
                if (batch.size() == 0) {
                    settleEmpty(batch);
                    return true;
                }
                return false;
            });
            if (!dropped.isEmpty()) {
                dropCounted(dropped, reason, null);
            }
            room.signalAll();
            signalAllWork();
            checkDrained();
        }
        finally {
            lock.unlock();
        }
    }

    private List<Lane<T, R>> allLanes() {
        List<Lane<T, R>> lanes = new ArrayList<>();
        lanes.add(mainLane);
        lanes.add(heartbeatLane);
        if (keyLanes != null) {
            lanes.addAll(keyLanes.values());
        }
        return lanes;
    }

    private void cancelHeartbeat() {
        if (heartbeatTimer != null) {
            heartbeatTimer.cancel();
            heartbeatTimer = null;
        }
    }

    /**
     * Under the lock: when closed with nothing left anywhere, queues the drained notice behind every settlement
     * counted so far, so that whoever waits for the drain sees every outcome settled. Exactly once.
     */
    private void checkDrained() {
        if (!closed || isDrained || ring.pending() > 0 || bufferedItems > 0 || !inFlight.isEmpty()
                || !retrying.isEmpty()) {
            return;
        }
        isDrained = true;
        signalAllWork();
        callbacks.stopAfter(() -> {
            try {
                if (spec.drainedCallback() != null) {
                    spec.drainedCallback().run();
                }
            }
            catch (Throwable ex) {
                LOG.log(Level.ERROR, label + ": drained callback failed", ex);
            }
            finally {
                drained.complete(null);
                if (ownsScheduler) {
                    scheduler.shutdown();
                }
            }
        });
    }

    /** How long a drain cut short by its timeout may take to settle what it dropped. */
    private static final long SETTLE_AFTER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    /**
     * {@link #close()}, then waits at most {@code timeout} for the drain; at the timeout drops what is left with
     * {@link DropReason#SHUTDOWN} (interrupting running sends) and waits a little more for those outcomes to settle.
     *
     * @return whether it drained in time, every outcome settled
     */
    public boolean closeAndDrain(Duration timeout) {
        close();
        boolean intime = awaitDrained(timeout.toNanos());
        if (!intime) {
            LOG.log(Level.WARNING, () -> label + " did not drain within " + timeout
                    + "; dropping what is left as shutdown: " + snapshot());
            dropAll(DropReason.SHUTDOWN);
            awaitDrained(SETTLE_AFTER_TIMEOUT_NANOS);
        }
        return intime;
    }

    /**
     * Waits at most {@code nanos} for the drain; an interrupt ends the wait (the flag is kept).
     *
     * @return whether it is drained
     */
    public boolean awaitDrained(long nanos) {
        try {
            drained.get(nanos, TimeUnit.NANOSECONDS);
            return true;
        }
        catch (TimeoutException ex) {
            return false;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
        catch (ExecutionException ex) {
            return true; // never completed exceptionally; done all the same
        }
    }

    /** Completed when closed and drained, after every outcome was settled and the drained callback ran. */
    public CompletableFuture<Void> drainedFuture() {
        return drained;
    }

    /** Whether {@link #close()} or {@link #dropAll} was called. */
    /** Items of a previous run admitted through {@link #admitReplayed} (counted in {@code submitted} too). */
    public long replayedItems() {
        return replayedItems;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Test support: moves everything in the intake ring into batches now, on the caller's thread. */
    public void syncIntake() {
        lock.lock();
        try {
            drainRingFully();
        }
        finally {
            lock.unlock();
        }
    }

    /** A consistent snapshot of the counters. */
    public KernelStats snapshot() {
        lock.lock();
        try {
            long pending = ring.pending();
            Map<DropReason, Long> byReason = new EnumMap<>(DropReason.class);
            long dropped = 0;
            for (DropReason reason : DropReason.values()) {
                long n = droppedByReason[reason.ordinal()];
                if (n > 0) {
                    byReason.put(reason, n);
                    dropped += n;
                }
            }
            Duration fullFor = fullSince < 0 ? Duration.ZERO
                    : Duration.ofNanos(Math.max(0, scheduler.nanoTime() - fullSince));
            return new KernelStats(bufferedItems + pending, bufferedBytes, inFlight.size(), inFlightItems,
                    submitted + pending, sent, dropped, Collections.unmodifiableMap(byReason), retried, sentBatches,
                    failedAttempts, consecutiveFailures, abandonedSends, fullFor, paused, closed, isDrained,
                    lastBatchItems, lastSentAtMillis < 0 ? null : Instant.ofEpochMilli(lastSentAtMillis));
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Kernel[" + name + "]";
    }
}
