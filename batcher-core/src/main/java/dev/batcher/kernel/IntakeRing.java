package dev.batcher.kernel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The lock-free producer path: a bounded multi-producer, single-consumer ring (the shape of JCTools'
 * {@code MpscArrayQueue}) whose one CAS per item is also the admission check and the close check.
 *
 * <p>A producer claims the next sequence number with one CAS on {@code producerIndex}, allowed only while
 * {@code claimed - released < maxItems} (the buffer limit, counting every item until its outcome is counted) and while
 * the ring has a free slot. It then writes its slot and publishes it with a release store of the item. {@link #close()}
 * sets the sign bit of {@code producerIndex} with a CAS, so no claim can succeed after it and the final sequence number
 * is known: an item is either admitted before the close and drained, or refused.
 *
 * <p>The single consumer is whoever holds the kernel lock; it reads slots in order and stops at a claimed slot whose
 * item is not yet published. Byte limits take a second CAS on {@code bytesHeld}, only when a byte limit is set.
 */
final class IntakeRing<T, R> {

    /** A slot given back by {@link #publishNothing}: the consumer steps over it. */
    private static final Object NOTHING = new Object();

    static final long FULL = -1;
    static final long CLOSED = -2;
    /** {@link #claimWaiting}: the waiting thread was interrupted (its interrupt flag is set again). */
    static final long INTERRUPTED = -3;
    /** {@link #claimWaiting}: yields before a producer that found no room parks (JCTools' producers yield too). */
    private static final int FULL_YIELDS = 4;
    private static final long CLOSED_BIT = Long.MIN_VALUE;
    private static final int MAX_CAPACITY = 1 << 16;

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final VarHandle PRODUCER_INDEX;
    private static final VarHandle RELEASED;
    private static final VarHandle BYTES_HELD;
    private static final VarHandle DRAIN_STATUS;

    /** Drain status: nobody will look at the ring unless a producer wakes {@link #wakeTarget}. */
    private static final long IDLE = 0;
    /** Drain status: someone was asked to look at the ring (a producer published, or the kernel has work). */
    private static final long REQUIRED = 1;
    /** Drain status: the watcher is looking at the ring (spinning) and will see what is published. */
    private static final long PROCESSING = 2;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PRODUCER_INDEX = lookup.findVarHandle(IntakeRing.class, "producerIndex", long.class);
            RELEASED = lookup.findVarHandle(IntakeRing.class, "released", long.class);
            BYTES_HELD = lookup.findVarHandle(IntakeRing.class, "bytesHeld", long.class);
            DRAIN_STATUS = lookup.findVarHandle(IntakeRing.class, "drainStatus", long.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Object[] items;
    private final CompletableFuture<R>[] futures;
    private final long[] bytes;
    private final long[] costs;
    private final Object[] keys;
    /** Journal positions, when the kernel has a journal. */
    private final long[] positions;
    private final int mask;
    private final long capacity;
    private final long maxItems;
    private final long maxBytes;

    // Padding keeps the producers' hot word off the consumer's cache lines.
    long p01, p02, p03, p04, p05, p06, p07;
    private volatile long producerIndex;
    long p11, p12, p13, p14, p15, p16, p17;
    /** Cached {@code min(consumerIndex + capacity, released + maxItems)}; may lag, never runs ahead. */
    private volatile long producerLimit;
    /**
     * Caffeine's drain status (IDLE, REQUIRED, PROCESSING): producers read it after every publish, so it shares the
     * read-mostly line of {@link #producerLimit}, away from the kernel's fields that senders write all the time
     * (sharing a line with those cost producers a cache miss per item). Written only when it changes.
     */
    private volatile long drainStatus;
    long p21, p22, p23, p24, p25, p26, p27;
    private volatile long consumerIndex;
    private volatile long released;
    private volatile long bytesHeld;
    long p31, p32, p33, p34, p35, p36, p37;
    /** The thread producers wake when the drain status is IDLE: the last watcher; written only when it changes. */
    private volatile Thread wakeTarget;
    /**
     * Producers parked in {@link #claimWaiting} until room comes back, outside any lock: {@link #release} wakes one,
     * and a woken producer that leaves room behind wakes the next, so a sender pays at most one wake-up per release.
     */
    private final ConcurrentLinkedQueue<Thread> roomWaiters = new ConcurrentLinkedQueue<>();

    @SuppressWarnings("unchecked")
    IntakeRing(int maxItems, long maxBytes, boolean sized, boolean costed, boolean keyed, boolean journaled) {
        int cap = Integer.highestOneBit(Math.max(2, Math.min(maxItems, MAX_CAPACITY) - 1)) << 1;
        this.items = new Object[cap];
        this.futures = new CompletableFuture[cap];
        this.bytes = sized ? new long[cap] : null;
        this.costs = costed ? new long[cap] : null;
        this.keys = keyed ? new Object[cap] : null;
        this.positions = journaled ? new long[cap] : null;
        this.mask = cap - 1;
        this.capacity = cap;
        this.maxItems = maxItems;
        this.maxBytes = maxBytes;
        this.producerLimit = Math.min(capacity, maxItems);
    }

    /**
     * Claims a slot for one item of {@code itemBytes}. A producer whose CAS lost to another one yields before it tries
     * again: with more producers than cores, producers that keep retrying pull the index's cache line from core to
     * core and take the core from the consumer (measured with 2 producers on 2 cores: 28.7-29.9 M items/s against
     * 22.7-29.3 M when retrying at once).
     *
     * @return the sequence number to {@link #publish} at, or {@link #FULL}, or {@link #CLOSED}
     */
    long claim(long itemBytes) {
        if (maxBytes > 0 && !takeBytes(itemBytes)) {
            return producerIndex < 0 ? CLOSED : FULL;
        }
        long limit = producerLimit;
        long p;
        for (int failures = 0; ; failures++) {
            if (failures > 0) {
                Thread.yield(); // lost to another producer, who made progress: let it (or the consumer) run
            }
            p = producerIndex;
            if (p < 0) {
                giveBackBytes(itemBytes);
                return CLOSED;
            }
            if (p >= limit) {
                limit = Math.min(consumerIndex + capacity, released + maxItems);
                if (p >= limit) {
                    giveBackBytes(itemBytes);
                    return FULL;
                }
                producerLimit = limit;
            }
            if (PRODUCER_INDEX.compareAndSet(this, p, p + 1)) {
                return p;
            }
        }
    }

    /**
     * Whether every {@link #FULL} claim means that the buffer's limits are reached, so that only a {@link #release}
     * or {@link #close()} can make a claim succeed (the ring holds at least {@code maxItems} slots). Otherwise the
     * ring itself can be full while the buffer is not, and a producer must drain it to make room.
     */
    boolean roomComesFromReleases() {
        return maxItems <= capacity;
    }

    /**
     * Claims a slot like {@link #claim}, but when there is no room, waits for it up to {@code timeoutNanos} without a
     * lock: it yields a few times, then parks in {@link #roomWaiters} until a {@link #release} or {@link #close()}
     * wakes it. Only when {@link #roomComesFromReleases()}.
     *
     * <p>No wake-up is lost: a producer enqueues itself and then claims again, while a releaser adds to
     * {@code released} and then looks at the queue (all sequentially consistent), so one of them sees the other.
     *
     * @return the sequence number to {@link #publish} at, or {@link #FULL} once the time is up, {@link #CLOSED}, or
     *         {@link #INTERRUPTED} (the thread's interrupt flag is set)
     */
    long claimWaiting(long itemBytes, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        for (int i = 0; i < FULL_YIELDS; i++) {
            Thread.yield();
            long index = claim(itemBytes);
            if (index != FULL) {
                return index;
            }
        }
        Thread self = Thread.currentThread();
        while (true) {
            roomWaiters.add(self);
            long index = claim(itemBytes);
            long left = deadline - System.nanoTime();
            if (index == FULL && left > 0) {
                LockSupport.parkNanos(this, left);
            }
            // Woken by a releaser (it took this thread off the queue), or else timed out, interrupted or spurious.
            boolean woken = !roomWaiters.remove(self);
            if (index == FULL) {
                index = claim(itemBytes);
            }
            if (index == FULL && Thread.interrupted()) {
                Thread.currentThread().interrupt();
                index = INTERRUPTED;
            }
            if (index != FULL || deadline - System.nanoTime() <= 0) {
                if (index == CLOSED) {
                    wakeAllRoomWaiters();
                }
                else if (woken || index >= 0) {
                    passRoomOn(); // a wake-up spent on this thread, or room this thread may have left, goes on
                }
                return index;
            }
        }
    }

    /** Wakes the next producer waiting for room, if any and if there is room left. */
    private void passRoomOn() {
        if (!roomWaiters.isEmpty() && hasRoom(0)) {
            wakeRoomWaiter();
        }
    }

    private void wakeRoomWaiter() {
        Thread waiter = roomWaiters.poll();
        if (waiter != null) {
            LockSupport.unpark(waiter);
        }
    }

    private void wakeAllRoomWaiters() {
        Thread waiter;
        while ((waiter = roomWaiters.poll()) != null) {
            LockSupport.unpark(waiter);
        }
    }

    private boolean takeBytes(long itemBytes) {
        long held;
        do {
            held = bytesHeld;
            if (held + itemBytes > maxBytes && held > 0) {
                return false;
            }
        }
        while (!BYTES_HELD.compareAndSet(this, held, held + itemBytes));
        return true;
    }

    private void giveBackBytes(long itemBytes) {
        if (maxBytes > 0) {
            BYTES_HELD.getAndAdd(this, -itemBytes);
        }
    }

    /** Writes a claimed slot and publishes it to the consumer. */
    void publish(long index, T item, CompletableFuture<R> future, long itemBytes, long cost, Object key,
            long position) {
        int slot = (int) index & mask;
        if (future != null) {
            // Slots are left null by the consumer: fire-and-forget items then never touch this array's cache lines,
            // which would otherwise bounce between the producers' and the consumer's cores as the items' lines do.
            futures[slot] = future;
        }
        if (bytes != null) {
            bytes[slot] = itemBytes;
        }
        if (costs != null) {
            costs[slot] = cost;
        }
        if (keys != null) {
            keys[slot] = key;
        }
        if (positions != null) {
            positions[slot] = position;
        }
        SLOT.setRelease(items, slot, item);
    }

    /**
     * Gives a claimed slot back without an item (a journal append failed after the claim): its room is released at
     * once, and the consumer steps over it.
     */
    void publishNothing(long index, long itemBytes) {
        release(1, itemBytes);
        SLOT.setRelease(items, (int) index & mask, NOTHING);
    }

    /** What the consumer does with each drained item. */
    interface Sink<T, R> {
        void accept(T item, CompletableFuture<R> future, long bytes, long cost, Object key, long position);
    }

    /**
     * Consumer only: hands over published items in order, at most {@code max}, stopping at a claimed slot that is not
     * published yet.
     *
     * @return how many items were handed over
     */
    @SuppressWarnings("unchecked")
    int drain(Sink<T, R> sink, int max) {
        long c = consumerIndex;
        int n = 0;
        while (n < max) {
            int slot = (int) c & mask;
            Object item = SLOT.getAcquire(items, slot);
            if (item == null) {
                break;
            }
            if (item == NOTHING) {
                SLOT.setOpaque(items, slot, null);
                c++;
                continue;
            }
            CompletableFuture<R> future = futures[slot];
            if (future != null) {
                futures[slot] = null;
            }
            Object key = null;
            if (keys != null) {
                key = keys[slot];
                keys[slot] = null;
            }
            SLOT.setOpaque(items, slot, null);
            c++;
            n++;
            sink.accept((T) item, future, bytes != null ? bytes[slot] : 0, costs != null ? costs[slot] : 0, key,
                    positions != null ? positions[slot] : Journal.FULL);
        }
        if (c != consumerIndex) {
            consumerIndex = c;
        }
        return n;
    }

    /**
     * Whether items carry nothing but themselves and a future (no bytes, costs, keys or journal positions):
     * {@link #drainInto} applies.
     */
    boolean isPlain() {
        return bytes == null && costs == null && keys == null && positions == null;
    }

    /**
     * Consumer only, for a {@linkplain #isPlain() plain} ring: moves up to {@code max} published items straight into
     * {@code batch}, in order, in one tight loop, stopping at a claimed slot that is not published yet.
     *
     * @return how many items were moved
     */
    @SuppressWarnings("unchecked")
    int drainInto(PendingBatch<T, R> batch, int max) {
        long c = consumerIndex;
        int n = 0;
        while (n < max) {
            int slot = (int) c & mask;
            Object item = SLOT.getAcquire(items, slot);
            if (item == null) {
                break;
            }
            CompletableFuture<R> future = futures[slot];
            if (future != null) {
                futures[slot] = null;
            }
            SLOT.setOpaque(items, slot, null);
            batch.add((T) item, future);
            c++;
            n++;
        }
        if (n > 0) {
            consumerIndex = c;
        }
        return n;
    }

    // ---------------------------------------------------------------- waking the consumer

    /** A producer published: if the watcher is parked (IDLE), wakes it; one volatile read otherwise. */
    void wakeWatcherIfIdle() {
        if (drainStatus == IDLE && DRAIN_STATUS.compareAndSet(this, IDLE, REQUIRED)) {
            LockSupport.unpark(wakeTarget);
        }
    }

    /** The calling thread becomes the watcher: producers will wake it; it looks at the ring before it parks. */
    void startWatching(Thread self) {
        if (wakeTarget != self) {
            wakeTarget = self;
        }
        if (drainStatus != PROCESSING) {
            drainStatus = PROCESSING;
        }
    }

    /** The kernel has work for the watcher: it stops spinning or wakes up. */
    void requireWatcher(Thread watcher) {
        drainStatus = REQUIRED;
        LockSupport.unpark(watcher);
    }

    /** Whether the watcher was asked to look at the kernel's state again. */
    boolean watcherRequired() {
        return drainStatus != PROCESSING;
    }

    /**
     * The watcher, after finding nothing: announces it is about to park (IDLE) unless it was asked to look again, and
     * parks until a producer or the kernel wakes it, if the ring is still empty after the announcement.
     */
    void parkWatcherIfEmpty(Object blocker) {
        if (DRAIN_STATUS.compareAndSet(this, PROCESSING, IDLE) && pending() == 0) {
            while (drainStatus == IDLE) {
                LockSupport.park(blocker);
            }
        }
    }

    /** Whether the item {@code ahead - 1} slots after the next one to drain is published (a hint, for watchers). */
    boolean hasPublished(int ahead) {
        return SLOT.getAcquire(items, (int) (consumerIndex + ahead - 1) & mask) != null;
    }

    /** Whether the next slot to drain is published: exact for the consumer, a hint for a thread watching it. */
    boolean hasPublished() {
        return SLOT.getAcquire(items, (int) consumerIndex & mask) != null;
    }

    /** Items admitted so far (the next sequence number), closed or not. */
    long admitted() {
        return producerIndex & ~CLOSED_BIT;
    }

    /** Items drained so far (the consumer's next sequence number). */
    long consumed() {
        return consumerIndex;
    }

    /** Items admitted but not yet drained, including claimed slots not yet published. */
    long pending() {
        return admitted() - consumerIndex;
    }

    /** Whether {@link #close()} was called. */
    boolean isClosed() {
        return producerIndex < 0;
    }

    /** Refuses every later claim. */
    void close() {
        long p;
        do {
            p = producerIndex;
            if (p < 0) {
                return;
            }
        }
        while (!PRODUCER_INDEX.compareAndSet(this, p, p | CLOSED_BIT));
        wakeAllRoomWaiters();
    }

    /** Items (and bytes) whose outcome was counted: their room goes back to producers. */
    void release(int count, long itemBytes) {
        RELEASED.getAndAdd(this, (long) count);
        if (maxBytes > 0 && itemBytes > 0) {
            BYTES_HELD.getAndAdd(this, -itemBytes);
        }
        if (!roomWaiters.isEmpty()) {
            wakeRoomWaiter();
        }
    }

    /** Whether slots carry a key (the kernel has a key extractor). */
    boolean isKeyed() {
        return keys != null;
    }

    /** Whether slots carry a cost (the kernel has a cost function). */
    boolean isCosted() {
        return costs != null;
    }

    /** Whether an item of {@code itemBytes} would be admitted now (a hint: producers race). */
    boolean hasRoom(long itemBytes) {
        long p = admitted();
        boolean items = p < Math.min(consumerIndex + capacity, released + maxItems);
        return items && (maxBytes <= 0 || bytesHeld == 0 || bytesHeld + itemBytes <= maxBytes);
    }
}
