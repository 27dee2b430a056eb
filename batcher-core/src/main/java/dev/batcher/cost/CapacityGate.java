package dev.batcher.cost;

import dev.batcher.limit.SendGate;
import java.util.function.LongSupplier;

/**
 * Paces batches by cost to the granted capacity (go-batcher's flush: "each flush dispatches up to capacity x
 * interval, and always at least one"). A balance refills at the pace (capacity per second) up to one flush
 * interval's worth; a batch goes whenever the balance is not negative and takes its whole cost, going into debt if it
 * costs more, which later batches wait out. So a batch is never held back for costing more than an interval's worth,
 * yet the long-run rate never exceeds the pace. A refused sender asks again after at most one flush interval, so a
 * capacity raised while it waits (a lease acquired) applies within an interval instead of after a debt computed at
 * the old pace. With no capacity granted at all, one batch per flush interval still goes, as in go-batcher.
 *
 * <p>The pace is the granted capacity times a throttle factor: AIMD, halved (by default) when the datastore
 * throttles, raised by a step every capacity interval until it is back at 1. Called by sender threads outside every
 * kernel lock; its own critical sections are a few arithmetic operations.
 */
final class CapacityGate implements SendGate {

    /** The pace never falls below this share of the granted capacity. */
    static final double MIN_FACTOR = 0.01;
    private static final double NANOS_PER_SECOND = 1_000_000_000d;

    private final long intervalNanos;
    private final LongSupplier clock;
    private long capacity;
    private double factor = 1;
    private double balance;
    private long refilledAt;
    private long lastTrickleAt;
    private boolean trickled;

    CapacityGate(long intervalNanos, LongSupplier clock) {
        this.intervalNanos = intervalNanos;
        this.clock = clock;
        this.refilledAt = clock.getAsLong();
    }

    /** Starts with a full interval's worth of {@code granted}. */
    synchronized void start(long granted) {
        capacity = Math.max(0, granted);
        refilledAt = clock.getAsLong();
        balance = budget();
    }

    /** The limiter granted another capacity. */
    synchronized void setCapacity(long granted) {
        refill(clock.getAsLong());
        capacity = Math.max(0, granted);
        balance = Math.min(balance, budget());
    }

    /**
     * The datastore throttles: the pace drops by {@code decrease} and the saved-up balance is given up, so the lower
     * pace applies at once.
     *
     * @return the new pace per second
     */
    synchronized double throttle(double decrease) {
        refill(clock.getAsLong());
        factor = Math.max(MIN_FACTOR, factor * decrease);
        balance = Math.min(balance, 0);
        return pace();
    }

    /** A capacity interval passed without throttling: the pace recovers by {@code step}, up to the full capacity. */
    synchronized void recover(double step) {
        if (factor < 1) {
            refill(clock.getAsLong());
            factor = Math.min(1, factor + step);
        }
    }

    /** The cost per second batches go at now. */
    synchronized double pace() {
        return capacity * factor;
    }

    @Override
    public synchronized long tryAcquire(long cost) {
        long now = clock.getAsLong();
        double rate = pace();
        if (rate <= 0) {
            // Nothing granted: one batch per flush interval, as go-batcher's flush always dispatches one.
            long since = now - lastTrickleAt;
            if (!trickled || since >= intervalNanos) {
                trickled = true;
                lastTrickleAt = now;
                return 0;
            }
            return intervalNanos - since;
        }
        refill(now);
        if (balance >= 0) {
            balance -= cost;
            return 0;
        }
        // Ask again after at most one flush interval: the debt is waited out at the pace of the moment, and a
        // capacity granted meanwhile (a lease acquired) must shorten the wait, not only apply after it.
        return Math.min(intervalNanos, Math.max(1L, (long) Math.ceil(-balance * NANOS_PER_SECOND / rate)));
    }

    private void refill(long now) {
        double rate = pace();
        if (rate > 0 && now > refilledAt) {
            balance = Math.min(budget(), balance + (now - refilledAt) * rate / NANOS_PER_SECOND);
        }
        refilledAt = now;
    }

    /** One flush interval's worth at the current pace: the most a quiet period saves up. */
    private double budget() {
        return pace() * intervalNanos / NANOS_PER_SECOND;
    }
}
