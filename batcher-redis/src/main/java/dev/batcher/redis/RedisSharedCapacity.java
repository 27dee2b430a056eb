package dev.batcher.redis;

import dev.batcher.limit.CapacityEvent;
import dev.batcher.limit.CapacityLimiter;
import dev.batcher.limit.CapacityListener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A capacity shared by several instances through leases in Redis: go-batcher's {@code AzureSharedResource} with
 * Redis keys in place of blob leases.
 *
 * <p>The shared capacity is split into partitions ({@link SharedCapacityOptions#partitionCount()}); each partition
 * is held by at most one instance at a time, through a Redis key with a TTL (the lease). An instance's capacity is
 * its reserved capacity plus the partitions it holds. On its own thread ({@code batcher-shared-capacity-<name>}),
 * at a random moment within every max interval, the limiter
 * <ol>
 * <li>stops counting partitions whose lease may have ended (it could not renew them in time),</li>
 * <li>releases partitions the target no longer needs,</li>
 * <li>renews the leases it keeps once half their time has passed,</li>
 * <li>acquires free partitions until the target is covered, all in one atomic script.</li>
 * </ol>
 * A partition counts from the moment Redis confirmed the lease until the lease time, measured from before the
 * request was sent, has passed (less 2% for clock drift): never longer than Redis keeps the lease. So the instances
 * together never count more than the shared capacity, and a crashed instance's partitions are free again once their
 * TTL ends.
 *
 * <p>When Redis fails, the limiter emits an {@code error} event, logs the outage once (and its end), keeps the
 * partitions it holds only until their leases may have ended (falling back to the reserved capacity), and keeps
 * trying every max interval. Redis losing its data (a restart without persistence, a flush) is detected by a
 * missing epoch key: then no partition is handed out for one lease time, while former holders renew what they
 * held; see {@code docs/shared-capacity.md}.
 *
 * <p>Events (go-batcher's names), each delivered on the limiter's thread: {@code capacity} (value: the new
 * capacity), {@code target} (the new target, seen at the next request), {@code allocated} (a partition index),
 * {@code released} (a partition index, once it no longer counts in {@link #capacity()}; the message says why: not
 * needed, lease ended before it could be renewed, lease lost, limiter closed), {@code failed} (the capacity still
 * missing after a request; the message says why) and {@code error} (a Redis call failed; the capacity now).
 *
 * <p>{@link #capacity()}, {@link #setTarget} and {@link #target()} never touch Redis and never block. Listeners are
 * called on the limiter's thread. Redis calls block that thread for at most the connection's command timeout: set
 * it below the lease time (Spring Boot: {@code spring.data.redis.timeout}).
 */
public final class RedisSharedCapacity implements CapacityLimiter {

    private static final System.Logger LOG = System.getLogger(RedisSharedCapacity.class.getName());

    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int CLOSED = 2;

    private final SharedCapacityOptions options;
    private final PartitionLeases leases;
    private final LongSupplier nanoClock = System::nanoTime;
    private final List<CapacityListener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledThreadPoolExecutor thread;
    private final AtomicInteger state = new AtomicInteger(NEW);
    private volatile Thread limiterThread;
    private final long leaseNanos;
    private final long validNanos;
    private final long maxIntervalNanos;

    private volatile long target;
    private volatile Grant grant = Grant.NONE;
    private volatile Throwable lastError;

    // Owned by the limiter's thread.
    private final Map<Integer, Lease> held = new TreeMap<>();
    private long tokens;
    private boolean answered;
    private long targetEmitted = -1;
    private long capacityEmitted = -1;

    /**
     * Creates a limiter that talks to Redis through {@code connectionFactory}.
     *
     * @param connectionFactory the Redis connections (Lettuce in Spring Boot), started; its command timeout should
     *     be below the lease time
     * @param options the shared capacity and this instance's part in it
     */
    public RedisSharedCapacity(RedisConnectionFactory connectionFactory, SharedCapacityOptions options) {
        this(new StringRedisTemplate(Objects.requireNonNull(connectionFactory, "connectionFactory")), options);
    }

    /**
     * Creates a limiter that talks to Redis through {@code redis}.
     *
     * @param redis the Redis template
     * @param options the shared capacity and this instance's part in it
     */
    public RedisSharedCapacity(StringRedisTemplate redis, SharedCapacityOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.leases = new PartitionLeases(Objects.requireNonNull(redis, "redis"), options);
        this.leaseNanos = options.leaseTime().toNanos();
        this.validNanos = leaseNanos - leaseNanos / 50;
        this.maxIntervalNanos = options.maxInterval().toNanos();
        this.thread = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, "batcher-shared-capacity-" + options.name());
            t.setDaemon(true);
            limiterThread = t;
            return t;
        });
        this.thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.thread.setRemoveOnCancelPolicy(true);
    }

    /** The options this limiter was created with. */
    public SharedCapacityOptions options() {
        return options;
    }

    /** The reserved capacity plus the whole shared capacity. */
    @Override
    public long maxCapacity() {
        return options.maxCapacity();
    }

    /** The reserved capacity plus the partitions held now whose lease has not (possibly) ended. */
    @Override
    public long capacity() {
        return options.reservedCapacity() + grant.capacityAt(nanoClock.getAsLong());
    }

    /** How many partitions this instance holds now (those whose lease has not possibly ended). */
    public int heldPartitions() {
        return grant.countAt(nanoClock.getAsLong());
    }

    /**
     * Sets the needed capacity; the limiter asks for partitions for the part above the reserved capacity, or gives
     * some back, on its own thread within one max interval.
     *
     * @param needed the needed capacity, zero or more
     * @throws IllegalArgumentException when {@code needed} is negative
     */
    @Override
    public void setTarget(long needed) {
        if (needed < 0) {
            throw new IllegalArgumentException("The needed capacity must be zero or more, but was " + needed);
        }
        target = needed;
    }

    @Override
    public long target() {
        return target;
    }

    /**
     * The failure of the last Redis call, or {@code null} when it succeeded (or none was made yet). Non-null means
     * the limiter is running on its reserved capacity plus leases that have not ended yet.
     */
    public Throwable lastError() {
        return lastError;
    }

    @Override
    public void addListener(CapacityListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Starts asking for partitions on the limiter's thread.
     *
     * @throws IllegalStateException when already started or closed
     */
    @Override
    public void start() {
        if (!state.compareAndSet(NEW, STARTED)) {
            throw new IllegalStateException("The shared capacity limiter '" + options.name() + "' is already "
                    + (state.get() == STARTED ? "started" : "closed; create a new one"));
        }
        thread.execute(() -> {
            publish(); // the starting capacity: the reserved capacity
            tick();
        });
    }

    /**
     * Stops asking for partitions and releases every lease held, waiting at most one lease time for Redis (leases
     * not released end by themselves). Capacity falls back to the reserved capacity. A second call does nothing.
     */
    @Override
    public void close() {
        int previous = state.getAndSet(CLOSED);
        if (previous == CLOSED) {
            return;
        }
        if (previous == STARTED && Thread.currentThread() == limiterThread) {
            thread.shutdown(); // closed by a listener: the current tick releases everything when it ends
            return;
        }
        Future<?> release = previous == STARTED ? thread.submit(this::releaseAll) : null;
        thread.shutdown();
        try {
            if (release != null) {
                release.get(leaseNanos, TimeUnit.NANOSECONDS);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        catch (ExecutionException | TimeoutException ex) {
            LOG.log(System.Logger.Level.WARNING, "Shared capacity '" + options.name() + "': the leases could not be "
                    + "released on close; they end by themselves within " + options.leaseTime(), ex);
        }
        finally {
            thread.shutdownNow();
        }
    }

    // ---- the limiter's thread ----

    private void tick() {
        if (state.get() != STARTED) {
            return;
        }
        answered = false;
        try {
            step();
            if (answered) {
                recovered();
            }
        }
        catch (RuntimeException | Error ex) { // never let the loop die; Redis failures are DataAccessExceptions
            failed(ex);
        }
        finally {
            if (state.get() == CLOSED) {
                releaseOnClose();
            }
            publish();
            scheduleNext();
        }
    }

    private void releaseOnClose() {
        try {
            releaseAll();
        }
        catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "Shared capacity '" + options.name() + "': the leases could not "
                    + "be released on close; they end by themselves within " + options.leaseTime(), ex);
        }
    }

    private void step() {
        long wanted = target;
        if (wanted != targetEmitted) {
            targetEmitted = wanted;
            emit(CapacityEvent.TARGET, wanted, null, null);
        }
        long need = Math.max(0, wanted - options.reservedCapacity());
        dropEnded(nanoClock.getAsLong());
        releaseSurplus(need, wanted);
        renewDue();
        acquireShortfall(need);
    }

    private void dropEnded(long now) {
        var it = held.entrySet().iterator();
        while (it.hasNext()) {
            var entry = it.next();
            if (entry.getValue().validUntil - now <= 0) {
                it.remove();
                emit(CapacityEvent.RELEASED, entry.getKey(), "lease ended before it could be renewed", null);
            }
        }
    }

    /** Gives back the partitions the target no longer needs, the largest first. */
    private void releaseSurplus(long need, long wanted) {
        long surplus = heldCapacity() - need;
        if (surplus <= 0) {
            return;
        }
        List<Integer> partitions = new ArrayList<>();
        List<String> tokensOf = new ArrayList<>();
        List<Integer> largestFirst = new ArrayList<>(held.keySet());
        largestFirst.sort((a, b) -> Long.compare(options.capacityOf(b), options.capacityOf(a)));
        for (int partition : largestFirst) {
            long size = options.capacityOf(partition);
            if (size <= surplus) {
                surplus -= size;
                partitions.add(partition);
                tokensOf.add(held.remove(partition).token);
            }
        }
        if (partitions.isEmpty()) {
            return;
        }
        publish(); // stop counting them before Redis can hand them to another instance
        for (int partition : partitions) {
            emit(CapacityEvent.RELEASED, partition, "not needed for target " + wanted, null);
        }
        leases.release(partitions, tokensOf);
        answered = true;
    }

    /** Renews every lease once the earliest one has passed half its time. */
    private void renewDue() {
        long start = nanoClock.getAsLong();
        long earliest = Long.MAX_VALUE;
        for (Lease lease : held.values()) {
            earliest = Math.min(earliest, lease.validUntil - start);
        }
        if (held.isEmpty() || earliest > leaseNanos / 2) {
            return;
        }
        List<Integer> partitions = new ArrayList<>(held.keySet());
        List<String> tokensOf = new ArrayList<>(partitions.size());
        for (int partition : partitions) {
            tokensOf.add(held.get(partition).token);
        }
        boolean[] renewed = leases.renew(partitions, tokensOf);
        answered = true;
        for (int i = 0; i < renewed.length; i++) {
            int partition = partitions.get(i);
            if (renewed[i]) {
                held.put(partition, new Lease(tokensOf.get(i), start + validNanos));
            }
            else {
                held.remove(partition);
                emit(CapacityEvent.RELEASED, partition, "lease lost: another instance holds it", null);
            }
        }
    }

    private void acquireShortfall(long need) {
        long missing = need - heldCapacity();
        if (missing <= 0) {
            return;
        }
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < options.partitionCount(); i++) {
            if (!held.containsKey(i)) {
                candidates.add(i);
            }
        }
        if (candidates.isEmpty()) {
            return; // every partition is already ours
        }
        Collections.shuffle(candidates, ThreadLocalRandom.current());
        String token = options.instanceId() + "#" + (++tokens);
        long start = nanoClock.getAsLong();
        PartitionLeases.Acquired acquired = leases.acquire(token, candidates, missing);
        answered = true;
        for (int partition : acquired.partitions()) {
            held.put(partition, new Lease(token, start + validNanos));
            emit(CapacityEvent.ALLOCATED, partition, null, null);
        }
        long stillMissing = need - heldCapacity();
        if (acquired.fenceMillis() > 0) {
            emit(CapacityEvent.FAILED, stillMissing, "Redis lost the leases (restart or flush): no partition is "
                    + "handed out for " + acquired.fenceMillis() + " ms, until leases counted before have ended", null);
        }
        else if (stillMissing > 0) {
            emit(CapacityEvent.FAILED, stillMissing, "every free partition is taken; " + stillMissing
                    + " more capacity wanted", null);
        }
    }

    private void releaseAll() {
        if (held.isEmpty()) {
            publish();
            return;
        }
        List<Integer> partitions = new ArrayList<>(held.keySet());
        List<String> tokensOf = new ArrayList<>(partitions.size());
        for (int partition : partitions) {
            tokensOf.add(held.get(partition).token);
        }
        held.clear();
        publish();
        for (int partition : partitions) {
            emit(CapacityEvent.RELEASED, partition, "limiter closed", null);
        }
        leases.release(partitions, tokensOf);
    }

    private void failed(Throwable ex) {
        boolean first = lastError == null;
        lastError = ex;
        if (first) {
            LOG.log(System.Logger.Level.WARNING, "Shared capacity '" + options.name() + "': Redis failed; "
                    + "falling back to the reserved capacity " + options.reservedCapacity() + " as the leases held "
                    + "end, and retrying every " + options.maxInterval(), ex);
        }
        else {
            LOG.log(System.Logger.Level.DEBUG, "Shared capacity '" + options.name() + "': Redis still failing", ex);
        }
        emit(CapacityEvent.ERROR, capacity(), "Redis failed: " + ex, ex);
    }

    private void recovered() {
        if (lastError != null) {
            lastError = null;
            LOG.log(System.Logger.Level.INFO, "Shared capacity '" + options.name() + "': Redis answers again");
        }
    }

    private void publish() {
        grant = Grant.of(held, options);
        long capacity = capacity();
        if (capacity != capacityEmitted && state.get() != NEW) {
            capacityEmitted = capacity;
            emit(CapacityEvent.CAPACITY, capacity, null, null);
        }
    }

    private void scheduleNext() {
        if (state.get() != STARTED) {
            return;
        }
        long delay = ThreadLocalRandom.current().nextLong(maxIntervalNanos / 2, maxIntervalNanos + 1);
        try {
            thread.schedule(this::tick, delay, TimeUnit.NANOSECONDS);
        }
        catch (java.util.concurrent.RejectedExecutionException ex) {
            // closed meanwhile
        }
    }

    private long heldCapacity() {
        long total = 0;
        for (int partition : held.keySet()) {
            total += options.capacityOf(partition);
        }
        return total;
    }

    private void emit(String name, long value, String message, Throwable error) {
        CapacityEvent event = new CapacityEvent(name, value, message, error);
        for (CapacityListener listener : listeners) {
            try {
                listener.onEvent(event);
            }
            catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "A capacity listener failed on " + event, ex);
            }
        }
    }

    /** A lease this instance holds: its token and when it stops counting (nanoTime). */
    private record Lease(String token, long validUntil) {
    }

    /**
     * What {@link #capacity()} reads: the partitions held and when each stops counting. Immutable; the limiter's
     * thread publishes a new one after every change.
     */
    private static final class Grant {

        static final Grant NONE = new Grant(new long[0], new long[0]);

        private final long[] sizes;
        private final long[] validUntil;
        private final long total;
        private final long earliest;

        private Grant(long[] sizes, long[] validUntil) {
            this.sizes = sizes;
            this.validUntil = validUntil;
            long sum = 0;
            long first = Long.MAX_VALUE;
            for (int i = 0; i < sizes.length; i++) {
                sum += sizes[i];
                first = i == 0 || validUntil[i] - first < 0 ? validUntil[i] : first;
            }
            this.total = sum;
            this.earliest = first;
        }

        static Grant of(Map<Integer, Lease> held, SharedCapacityOptions options) {
            if (held.isEmpty()) {
                return NONE;
            }
            long[] sizes = new long[held.size()];
            long[] validUntil = new long[held.size()];
            int i = 0;
            for (Map.Entry<Integer, Lease> entry : held.entrySet()) {
                sizes[i] = options.capacityOf(entry.getKey());
                validUntil[i++] = entry.getValue().validUntil;
            }
            return new Grant(sizes, validUntil);
        }

        long capacityAt(long now) {
            if (sizes.length == 0 || earliest - now > 0) {
                return total;
            }
            long sum = 0;
            for (int i = 0; i < sizes.length; i++) {
                if (validUntil[i] - now > 0) {
                    sum += sizes[i];
                }
            }
            return sum;
        }

        int countAt(long now) {
            int count = 0;
            for (long until : validUntil) {
                if (until - now > 0) {
                    count++;
                }
            }
            return count;
        }
    }
}
