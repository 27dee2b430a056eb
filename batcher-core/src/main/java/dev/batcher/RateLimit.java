package dev.batcher;

/**
 * A limit on the rate of sends (luci QPSLimit) and a floor under it (luci MinQPS).
 *
 * @param perSecond {@code rate-limit.batches-per-second}: sends per second at most, 0 for no limit
 * @param burst {@code rate-limit.burst}: sends allowed at once after a quiet period
 * @param minPerSecond {@code rate-limit.min-batches-per-second}: empty heartbeat batches keep at least this rate of
 *     sends; 0 for none
 */
public record RateLimit(double perSecond, int burst, double minPerSecond) {

    /** No limit, no heartbeats. */
    public static final RateLimit NONE = new RateLimit(0, 1, 0);

    /** Validates the limit. */
    public RateLimit {
        Options.check(perSecond >= 0 && Double.isFinite(perSecond), "rate-limit.batches-per-second", perSecond,
                "must be positive, or 0 for no limit");
        Options.check(burst >= 1, "rate-limit.burst", burst, "must be at least 1");
        Options.check(minPerSecond >= 0 && Double.isFinite(minPerSecond), "rate-limit.min-batches-per-second",
                minPerSecond, "must be positive, or 0 for no heartbeats");
        Options.check(perSecond == 0 || minPerSecond <= perSecond, "rate-limit.min-batches-per-second", minPerSecond,
                "must not exceed rate-limit.batches-per-second (" + perSecond + ")");
    }

    /** A copy with another rate and burst. */
    public RateLimit withRate(double batchesPerSecond, int burstSize) {
        return new RateLimit(batchesPerSecond, burstSize, minPerSecond);
    }

    /** A copy with another {@link #minPerSecond()}. */
    public RateLimit withMinPerSecond(double value) {
        return new RateLimit(perSecond, burst, value);
    }

    /** The period between heartbeats in nanoseconds, 0 when there are none. */
    public long heartbeatPeriodNanos() {
        return minPerSecond > 0 ? Math.max(1L, Math.round(1_000_000_000d / minPerSecond)) : 0;
    }
}
