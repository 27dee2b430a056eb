package dev.batcher.task;

import java.time.Duration;
import java.time.Instant;

/**
 * How one call runs, overriding the queue's configuration: immutable, built with the {@code with...} methods from
 * {@link #DEFAULTS}.
 *
 * <pre>{@code
 * client.call("resize", TaskOptions.DEFAULTS.ignoreReports().withTimeout(Duration.ofSeconds(5)), image);
 * }</pre>
 *
 * @param reports whether Sent and Progress reports are wanted (dingo's {@code IgnoreReport} when false); the final
 *     Success or Fail is always delivered, since the result depends on it
 * @param timeout the longest one attempt may run, or {@code null} for the queue's {@code timeout}
 * @param delay how long after the call the first attempt may start, or {@code null}
 * @param notBefore when the first attempt may start at the earliest, or {@code null}; the later of this and
 *     {@code delay} applies
 * @param maxAttempts attempts including the first, or {@code 0} for the queue's {@code retry.max-attempts}
 */
public record TaskOptions(boolean reports, Duration timeout, Duration delay, Instant notBefore, int maxAttempts) {

    /** Reports wanted, everything else from the queue's configuration. */
    public static final TaskOptions DEFAULTS = new TaskOptions(true, null, null, null, 0);

    /** Checks the parts. */
    public TaskOptions {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("A call's timeout must be positive (was " + timeout + ")");
        }
        if (delay != null && delay.isNegative()) {
            throw new IllegalArgumentException("A call's delay must not be negative (was " + delay + ")");
        }
        if (maxAttempts < -1) {
            throw new IllegalArgumentException("A call's maxAttempts must be at least 1, 0 for the queue's "
                    + "retry.max-attempts or -1 for unlimited (was " + maxAttempts + ")");
        }
    }

    /** These options without Sent and Progress reports. */
    public TaskOptions ignoreReports() {
        return new TaskOptions(false, timeout, delay, notBefore, maxAttempts);
    }

    /** These options with Sent and Progress reports. */
    public TaskOptions withReports() {
        return new TaskOptions(true, timeout, delay, notBefore, maxAttempts);
    }

    /**
     * These options with a per-attempt timeout.
     *
     * @param timeout the longest one attempt may run
     * @return new options
     */
    public TaskOptions withTimeout(Duration timeout) {
        return new TaskOptions(reports, timeout, delay, notBefore, maxAttempts);
    }

    /**
     * These options with a delay before the first attempt.
     *
     * @param delay how long after the call
     * @return new options
     */
    public TaskOptions withDelay(Duration delay) {
        return new TaskOptions(reports, timeout, delay, notBefore, maxAttempts);
    }

    /**
     * These options with a start time for the first attempt (a scheduled call).
     *
     * @param notBefore when it may start at the earliest
     * @return new options
     */
    public TaskOptions withNotBefore(Instant notBefore) {
        return new TaskOptions(reports, timeout, delay, notBefore, maxAttempts);
    }

    /**
     * These options with an attempt limit.
     *
     * @param maxAttempts attempts including the first ({@code 1}: no retry; {@code -1}: unlimited)
     * @return new options
     */
    public TaskOptions withMaxAttempts(int maxAttempts) {
        return new TaskOptions(reports, timeout, delay, notBefore, maxAttempts);
    }

    /** When the first attempt may start, from these options and the time of the call; {@code null} for now. */
    Instant startAt(Instant now) {
        Instant byDelay = delay == null || delay.isZero() ? null : now.plus(delay);
        if (byDelay == null) {
            return notBefore;
        }
        return notBefore == null || byDelay.isAfter(notBefore) ? byDelay : notBefore;
    }
}
