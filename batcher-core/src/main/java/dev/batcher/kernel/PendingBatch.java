package dev.batcher.kernel;

import dev.batcher.Batch;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * A batch inside the kernel: filled by the intake while open, then sealed, leased, sent, maybe retried, and finally
 * sent or dropped. Items live in a plain array and futures in a parallel array allocated only when some item has
 * one, so a fire-and-forget item costs one array slot.
 *
 * <p>Every attempt is stamped: {@code stamp = attempt << 2 | phase}. The sending thread moves its own attempt from
 * LEASED to SENDING to DONE with CAS; a timeout, a shutdown or a drop-oldest eviction moves it to ABANDONED. A thread
 * whose CAS fails lost the batch and settles nothing: a late return of an abandoned attempt cannot touch a later one.
 * Everything else is guarded by the kernel lock.
 */
final class PendingBatch<T, R> implements Batch<T> {

    static final int LEASED = 0;
    static final int SENDING = 1;
    static final int DONE = 2;
    static final int ABANDONED = 3;

    /** Where the batch is, under the kernel lock. */
    enum Place { OPEN, SEALED, IN_FLIGHT, RETRYING, SETTLED }

    @SuppressWarnings("rawtypes")
    private static final AtomicLongFieldUpdater<PendingBatch> STAMP =
            AtomicLongFieldUpdater.newUpdater(PendingBatch.class, "stamp");

    final Lane<T, R> lane;
    final long createdAt;
    /** When the open batch's age is up, on the scheduler's clock. */
    long dueAt;
    private Object[] items;
    private CompletableFuture<R>[] futures;
    /** Journal positions of the items, when the kernel has a journal. */
    private long[] positions;
    private int size;
    private long bytes;
    private long cost;
    Place place = Place.OPEN;
    int attempt;
    RetryState retry;
    dev.batcher.time.Scheduler.Cancellable retryTimer;
    /** Neighbours in the kernel's list of waiting batches (oldest first), for age-ordered drop-oldest. */
    PendingBatch<T, R> olderWaiting;
    PendingBatch<T, R> newerWaiting;
    boolean linked;
    /** Flush barriers waiting for this batch to settle, or {@code null}. */
    List<Barrier> barriers;
    private List<T> view;

    private volatile long stamp = DONE;
    private volatile Thread thread;
    private volatile long sendingSince;
    /** Wall-clock deadline of the current attempt in epoch milliseconds; 0 before the first send. */
    private volatile long deadlineMillis;

    PendingBatch(Lane<T, R> lane, long createdAt, int initialCapacity) {
        this.lane = lane;
        this.createdAt = createdAt;
        this.items = new Object[Math.max(1, initialCapacity)];
    }

    /** Adds an item without bytes or cost. */
    @SuppressWarnings("unchecked")
    void add(T item, CompletableFuture<R> future) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
            if (futures != null) {
                futures = Arrays.copyOf(futures, size * 2);
            }
        }
        if (future != null) {
            if (futures == null) {
                futures = new CompletableFuture[items.length];
            }
            futures[size] = future;
        }
        items[size++] = item;
    }

    @SuppressWarnings("unchecked")
    void add(T item, CompletableFuture<R> future, long itemBytes, long itemCost, long position) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
            if (futures != null) {
                futures = Arrays.copyOf(futures, size * 2);
            }
            if (positions != null) {
                positions = Arrays.copyOf(positions, size * 2);
            }
        }
        if (position >= 0) {
            if (positions == null) {
                positions = new long[items.length];
            }
            positions[size] = position;
        }
        if (future != null) {
            if (futures == null) {
                futures = new CompletableFuture[items.length];
            }
            futures[size] = future;
        }
        items[size++] = item;
        bytes += itemBytes;
        cost += itemCost;
    }

    /** The journal positions of the items (the first {@link #size()}), or {@code null} without a journal. */
    long[] positions() {
        return positions;
    }

    boolean hasFutures() {
        return futures != null;
    }

    /** Completes the futures of a sent batch with the sink's results ({@code null} for none). */
    void completeSent(List<? extends R> results) {
        CompletableFuture<R>[] fs = futures;
        if (fs == null) {
            return;
        }
        for (int i = 0; i < size; i++) {
            if (fs[i] != null) {
                fs[i].complete(results != null && i < results.size() ? results.get(i) : null);
            }
        }
    }

    /** Fails the futures of a dropped batch with one shared exception. */
    void completeDropped(RuntimeException error) {
        CompletableFuture<R>[] fs = futures;
        if (fs == null) {
            return;
        }
        for (int i = 0; i < size; i++) {
            if (fs[i] != null) {
                fs[i].completeExceptionally(error);
            }
        }
    }

    // ---------------------------------------------------------------- attempts

    /** Starts the next attempt, leased to the current thread. Under the kernel lock. */
    void lease() {
        attempt++;
        thread = Thread.currentThread();
        stamp = ((long) attempt << 2) | LEASED;
    }

    /** The leasing thread starts sending; {@code false} if the attempt was abandoned meanwhile. */
    boolean startSending(int attemptNo, long now, long deadlineAtMillis) {
        sendingSince = now;
        deadlineMillis = deadlineAtMillis;
        return STAMP.compareAndSet(this, ((long) attemptNo << 2) | LEASED, ((long) attemptNo << 2) | SENDING);
    }

    /** The sending thread is back; {@code false} if the attempt was abandoned meanwhile and is no longer its own. */
    boolean finishSending(int attemptNo) {
        return STAMP.compareAndSet(this, ((long) attemptNo << 2) | SENDING, ((long) attemptNo << 2) | DONE);
    }

    /** The phase of the current attempt. */
    int phase() {
        return (int) (stamp & 3);
    }

    long sendingSince() {
        return sendingSince;
    }

    /**
     * Abandons attempt {@code attemptNo} if it is leased or being sent.
     *
     * @param interrupt whether to interrupt the attempt's thread
     * @return the phase it was abandoned in ({@link #LEASED} or {@link #SENDING}), or -1 if it was not abandoned by
     *     this call (already done or abandoned): then this caller owns nothing
     */
    int abandon(int attemptNo, boolean interrupt) {
        while (true) {
            long s = stamp;
            int phase = (int) (s & 3);
            if ((s >>> 2) != attemptNo || (phase != LEASED && phase != SENDING)) {
                return -1;
            }
            if (STAMP.compareAndSet(this, s, ((long) attemptNo << 2) | ABANDONED)) {
                Thread t = thread;
                if (interrupt && t != null) {
                    t.interrupt();
                }
                return phase;
            }
        }
    }

    void addBarrier(Barrier barrier) {
        if (barriers == null) {
            barriers = new ArrayList<>(1);
        }
        barriers.add(barrier);
    }

    // ---------------------------------------------------------------- Batch

    @Override
    @SuppressWarnings("unchecked")
    public List<T> items() {
        List<T> v = view;
        if (v == null || v.size() != size) {
            v = new Items<>((T[]) items, size);
            view = v;
        }
        return v;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    /** The sum of the items' costs (0 when the engine has no cost function). */
    long cost() {
        return cost;
    }

    @Override
    public Object key() {
        return lane.key;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public long[] durableIds() {
        long[] p = positions;
        return p == null ? new long[0] : Arrays.copyOf(p, size);
    }

    @Override
    public Instant deadline() {
        long d = deadlineMillis;
        return d != 0 ? Instant.ofEpochMilli(d) : Instant.MAX;
    }

    @Override
    public String toString() {
        return "Batch[size=" + size + ", bytes=" + bytes + ", key=" + lane.key + ", attempt=" + attempt + "]";
    }

    /** A read-only list over the first {@code size} slots of the item array. */
    private static final class Items<T> extends AbstractList<T> implements RandomAccess {

        private final T[] items;
        private final int size;

        Items(T[] items, int size) {
            this.items = items;
            this.size = size;
        }

        @Override
        public T get(int index) {
            if (index < 0 || index >= size) {
                throw new IndexOutOfBoundsException("Index " + index + " out of bounds for length " + size);
            }
            return items[index];
        }

        @Override
        public int size() {
            return size;
        }
    }
}
