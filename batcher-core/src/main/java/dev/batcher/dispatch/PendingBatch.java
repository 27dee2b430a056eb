package dev.batcher.dispatch;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A batch inside the buffer: filled by producers while open, then sealed, sent, maybe retried, and finally sent or
 * dropped. Items live in a plain array and futures in a parallel array allocated only when some item has one, so a
 * fire-and-forget item costs one array slot.
 */
final class PendingBatch<T> implements Batch<T> {

    private static final int IDLE = 0;
    private static final int SENDING = 1;
    private static final int ABANDONED = 2;

    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<PendingBatch> STATE =
            AtomicIntegerFieldUpdater.newUpdater(PendingBatch.class, "state");

    final Lane<T> lane;
    final long createdAt;
    private Object[] items;
    private CompletableFuture<Void>[] futures;
    private int size;
    private long bytes;
    boolean sealed;
    int attempt;
    /** When the current attempt was leased, on the scheduler's clock; for the send timeout. */
    long leasedAt;
    RetryState retry;
    Scheduler.Cancellable pendingTimer;
    private List<T> view;

    private volatile int state;
    private volatile Thread sender;

    PendingBatch(Lane<T> lane, long createdAt, int initialCapacity) {
        this.lane = lane;
        this.createdAt = createdAt;
        this.items = new Object[initialCapacity];
    }

    @SuppressWarnings("unchecked")
    void add(T item, CompletableFuture<Void> future, long itemBytes) {
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
        bytes += itemBytes;
    }

    /** Completes the futures of a sent batch. */
    void completeSent() {
        CompletableFuture<Void>[] fs = futures;
        if (fs != null) {
            for (int i = 0; i < size; i++) {
                if (fs[i] != null) {
                    fs[i].complete(null);
                }
            }
        }
    }

    /** Fails the futures of a dropped batch with one shared exception. */
    void completeDropped(ItemDroppedException error) {
        CompletableFuture<Void>[] fs = futures;
        if (fs != null) {
            for (int i = 0; i < size; i++) {
                if (fs[i] != null) {
                    fs[i].completeExceptionally(error);
                }
            }
        }
    }

    /** Marks the start of an attempt on the current thread. Called under the buffer lock. */
    void beginAttempt() {
        attempt++;
        sender = Thread.currentThread();
        state = SENDING;
    }

    /** Ends an attempt from the sending thread; {@code false} if it was abandoned meanwhile (timeout, shutdown). */
    boolean finishAttempt() {
        sender = null;
        return STATE.compareAndSet(this, SENDING, IDLE);
    }

    /**
     * Abandons the running attempt number {@code attemptNo}, interrupting its thread.
     *
     * @return {@code true} if this call abandoned it: the caller now owns the batch's outcome
     */
    boolean abandon(int attemptNo) {
        Thread thread = sender;
        if (attempt != attemptNo || !STATE.compareAndSet(this, SENDING, ABANDONED)) {
            return false;
        }
        if (thread != null) {
            thread.interrupt();
        }
        return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<T> items() {
        List<T> v = view;
        if (v == null) {
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

    @Override
    public Object key() {
        return lane.key;
    }

    @Override
    public int attempt() {
        return attempt;
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
