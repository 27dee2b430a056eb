package dev.batcher.cost;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The needed capacity (go-batcher's target): the summed cost of every operation enqueued and not yet done. It rises
 * by an operation's cost when it is enqueued and falls by it exactly once: when its watcher returns, when its max
 * operation time passes, or when it is dropped or refused.
 *
 * <p>Each enqueue gets an {@link Entry} that holds its cost until released (a CAS, so a late return of an abandoned
 * attempt releases nothing twice). The amount and an epoch share one word: the {@linkplain #resetIfStuck audit}
 * moves to the next epoch and zero in one CAS, and an entry held in an older epoch releases nothing afterwards, so a
 * late release after a reset can never eat into the cost of newer operations.
 */
final class Target {

    private static final int EPOCH_SHIFT = 48;
    private static final long AMOUNT_MASK = (1L << EPOCH_SHIFT) - 1;

    /** Epoch in the high 16 bits, amount in the low 48. */
    private final AtomicLong word = new AtomicLong();
    /** Enqueues that took a hold, and enqueues whose admission is over (admitted or refused). For the audit. */
    private final LongAdder started = new LongAdder();
    private final LongAdder finished = new LongAdder();

    /** Takes a hold of the operation's cost; the enqueue must call {@link #admissionOver()} afterwards. */
    Entry hold(Operation<?> op) {
        started.increment();
        long before = word.getAndAdd(op.cost());
        return new Entry(op, (int) (before >>> EPOCH_SHIFT));
    }

    /** The enqueue that took a hold is over: its entry is in the kernel (or was refused and released). */
    void admissionOver() {
        finished.increment();
    }

    /** Gives the entry's cost back, once; nothing if it was already released or an audit reset its epoch. */
    void release(Entry entry) {
        if (!entry.release()) {
            return;
        }
        long cost = entry.op.cost();
        long w;
        do {
            w = word.get();
            if ((int) (w >>> EPOCH_SHIFT) != entry.epoch || cost == 0) {
                return;
            }
        }
        while (!word.compareAndSet(w, w - Math.min(cost, w & AMOUNT_MASK)));
    }

    /** The needed capacity now. */
    long get() {
        return word.get() & AMOUNT_MASK;
    }

    /** Enqueues whose admission is over so far: read before the kernel snapshot the audit decides on. */
    long admissionsOver() {
        return finished.sum();
    }

    /**
     * The audit's correction, once the kernel showed nothing outstanding: if no enqueue was between its hold and its
     * admission when {@code finishedBefore} was read (so the snapshot saw every operation the amount counts), a
     * non-zero amount is stale: reset it to zero in a new epoch.
     *
     * @param finishedBefore {@link #admissionsOver()} read before the snapshot
     * @return -1 if an enqueue raced with the audit (skip), 0 if the amount was zero (pass), else the stale amount
     *     that was reset (fail)
     */
    long resetIfStuck(long finishedBefore) {
        long w = word.get();
        if (started.sum() != finishedBefore) {
            return -1;
        }
        long amount = w & AMOUNT_MASK;
        if (amount == 0) {
            return 0;
        }
        long next = ((w >>> EPOCH_SHIFT) + 1) & 0xFFFF;
        return word.compareAndSet(w, next << EPOCH_SHIFT) ? amount : -1;
    }

    /** One enqueued operation's hold on the needed capacity. */
    static final class Entry {

        private static final AtomicIntegerFieldUpdater<Entry> HELD =
                AtomicIntegerFieldUpdater.newUpdater(Entry.class, "held");

        final Operation<?> op;
        final int epoch;
        private volatile int held = 1;

        Entry(Operation<?> op, int epoch) {
            this.op = op;
            this.epoch = epoch;
        }

        /** Ends the hold; {@code true} for the one caller that ended it. */
        boolean release() {
            return held == 1 && HELD.compareAndSet(this, 1, 0);
        }

        @Override
        public String toString() {
            return op.toString();
        }
    }
}
