package dev.batcher.limit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token-bucket rate limit (luci's {@code QPSLimit}, Go's {@code rate.Limiter}) backed by Bucket4j's lock-free
 * local bucket: {@code permitsPerSecond} refill greedily up to {@code burst}. One gate shared by several senders
 * holds the rate across all of them.
 */
public final class TokenBucketGate implements SendGate {

    private final Bucket bucket;

    /**
     * Creates a gate.
     *
     * @param permitsPerSecond the sustained rate, greater than 0 (fractions allowed: 0.5 is one every 2 s)
     * @param burst how many permits may be taken at once after a quiet period, at least 1
     * @param nanoClock the time source, such as {@code System::nanoTime} or a test scheduler's clock
     */
    public TokenBucketGate(double permitsPerSecond, long burst, LongSupplier nanoClock) {
        if (!(permitsPerSecond > 0) || Double.isInfinite(permitsPerSecond)) {
            throw new IllegalArgumentException("permitsPerSecond must be a positive number, but was " + permitsPerSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, but was " + burst);
        }
        long nanosPerPermit = Math.max(1L, Math.round(1_000_000_000d / permitsPerSecond));
        Bandwidth limit = Bandwidth.builder()
                .capacity(burst)
                .refillGreedy(1, Duration.ofNanos(nanosPerPermit))
                .build();
        TimeMeter meter = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return nanoClock.getAsLong();
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
        this.bucket = Bucket.builder().addLimit(limit).withCustomTimePrecision(meter).build();
    }

    @Override
    public long tryAcquire(long cost) {
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(cost);
        return probe.isConsumed() ? 0L : Math.max(1L, probe.getNanosToWaitForRefill());
    }
}
