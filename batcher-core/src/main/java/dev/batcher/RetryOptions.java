package dev.batcher;

import java.time.Duration;
import org.springframework.retry.RetryPolicy;
import org.springframework.retry.backoff.BackOffPolicy;
import org.springframework.retry.backoff.ExponentialBackOffPolicy;
import org.springframework.retry.policy.AlwaysRetryPolicy;
import org.springframework.retry.policy.MaxAttemptsRetryPolicy;

/**
 * Per-batch retry with exponential back-off (luci's default: 200 ms x 1.2 up to 60 s, unlimited), turned into
 * spring-retry policies by {@link #retryPolicy()} and {@link #backOffPolicy()}.
 *
 * @param maxAttempts {@code retry.max-attempts}: attempts per batch including the first; {@link #UNLIMITED} retries
 *     until sent
 * @param initialBackoff {@code retry.initial-backoff}: the wait before the first retry
 * @param multiplier {@code retry.multiplier}: each wait is the previous one times this
 * @param maxBackoff {@code retry.max-backoff}: the longest wait
 */
public record RetryOptions(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff) {

    /** The {@link #maxAttempts()} value meaning "retry until sent". */
    public static final int UNLIMITED = -1;

    /** luci's defaults: unlimited attempts, 200 ms x 1.2 up to 60 s. */
    public static final RetryOptions DEFAULTS =
            new RetryOptions(UNLIMITED, Duration.ofMillis(200), 1.2, Duration.ofSeconds(60));

    /** Validates the options. */
    public RetryOptions {
        Options.check(maxAttempts == UNLIMITED || maxAttempts >= 1, "retry.max-attempts", maxAttempts,
                "must be at least 1 (1 means no retry), or -1 for unlimited");
        Options.positive(initialBackoff, "retry.initial-backoff", "200ms");
        Options.check(multiplier >= 1 && Double.isFinite(multiplier), "retry.multiplier", multiplier,
                "must be at least 1 (1 keeps the wait constant)");
        Options.positive(maxBackoff, "retry.max-backoff", "60s");
        Options.check(maxBackoff.compareTo(initialBackoff) >= 0, "retry.max-backoff", maxBackoff,
                "must not be shorter than retry.initial-backoff (" + initialBackoff + ")");
    }

    /** The spring-retry policy allowing {@link #maxAttempts()}. */
    public RetryPolicy retryPolicy() {
        return maxAttempts == UNLIMITED ? new AlwaysRetryPolicy() : new MaxAttemptsRetryPolicy(maxAttempts);
    }

    /** The spring-retry exponential back-off policy of these options. */
    public BackOffPolicy backOffPolicy() {
        ExponentialBackOffPolicy policy = new ExponentialBackOffPolicy();
        policy.setInitialInterval(initialBackoff.toMillis());
        policy.setMultiplier(multiplier);
        policy.setMaxInterval(maxBackoff.toMillis());
        return policy;
    }
}
