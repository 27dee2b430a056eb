package dev.batcher.redis;

import dev.batcher.limit.CapacityLimiter;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the capacity of several limiters at random moments (every 1 to 5 ms, on a scheduler thread) and keeps the
 * largest total seen, to check that instances together never hold more than they may.
 */
final class CapacitySampler implements AutoCloseable {

    private final List<? extends CapacityLimiter> limiters;
    private final ScheduledExecutorService scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong maxTotal = new AtomicLong(Long.MIN_VALUE);
    private volatile boolean stopped;

    CapacitySampler(List<? extends CapacityLimiter> limiters) {
        this.limiters = limiters;
        scheduler.execute(this::sample);
    }

    private void sample() {
        if (stopped) {
            return;
        }
        long total = 0;
        for (CapacityLimiter limiter : limiters) {
            total += limiter.capacity();
        }
        long seen = total;
        maxTotal.accumulateAndGet(seen, Math::max);
        samples.incrementAndGet();
        scheduler.schedule(this::sample, ThreadLocalRandom.current().nextLong(1_000, 5_000), TimeUnit.MICROSECONDS);
    }

    /** The largest total capacity seen so far. */
    long maxTotal() {
        return maxTotal.get();
    }

    /** How many times the capacities were read. */
    long samples() {
        return samples.get();
    }

    @Override
    public void close() {
        stopped = true;
        scheduler.shutdownNow();
    }
}
