package dev.batcher;

import java.time.Duration;

/**
 * How batches are sent: how many at once and for how long.
 *
 * @param maxConcurrent {@code max-concurrent-sends} (luci MaxLeases): batches sent in parallel at most. It is also the
 *     number of sender threads: a send abandoned after its timeout keeps its slot until its thread returns, so no
 *     more than this many threads are ever inside the sink
 * @param timeout {@code send-timeout}: an attempt running longer is abandoned (its thread interrupted) and counts as
 *     failed
 */
public record SendLimits(int maxConcurrent, Duration timeout) {

    /** 4 concurrent sends, 30 s each. */
    public static final SendLimits DEFAULTS = new SendLimits(4, Duration.ofSeconds(30));

    /** Validates the limits. */
    public SendLimits {
        Options.check(maxConcurrent >= 1, "max-concurrent-sends", maxConcurrent, "must be at least 1");
        Options.positive(timeout, "send-timeout", "30s");
    }

    /** A copy with another {@link #maxConcurrent()}. */
    public SendLimits withMaxConcurrent(int value) {
        return new SendLimits(value, timeout);
    }

    /** A copy with another {@link #timeout()}. */
    public SendLimits withTimeout(Duration value) {
        return new SendLimits(maxConcurrent, value);
    }
}
