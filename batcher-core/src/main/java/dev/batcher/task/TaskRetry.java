package dev.batcher.task;

import dev.batcher.RetryOptions;
import org.springframework.retry.RetryContext;
import org.springframework.retry.RetryPolicy;
import org.springframework.retry.backoff.BackOffContext;
import org.springframework.retry.backoff.BackOffPolicy;
import org.springframework.retry.backoff.SleepingBackOffPolicy;

/**
 * Whether a failed attempt is run again, and after how long, on spring-retry's policies from {@link RetryOptions}.
 * Stateless per attempt (an attempt may fail on another process than the one before), so the policies are replayed
 * for the attempt number; the back-off policy never sleeps: its sleeper records the period.
 */
final class TaskRetry {

    private TaskRetry() {
    }

    /**
     * Whether attempt {@code failedAttempt} may be followed by another.
     *
     * @param options the queue's retry options (back-off)
     * @param maxAttempts the call's attempt limit ({@code -1}: unlimited)
     * @param failedAttempt the attempt that failed (1 the first time)
     * @param error what it threw
     */
    static boolean canRetry(RetryOptions options, int maxAttempts, int failedAttempt, Throwable error) {
        RetryOptions limited = new RetryOptions(maxAttempts, options.initialBackoff(), options.multiplier(),
                options.maxBackoff());
        RetryPolicy policy = limited.retryPolicy();
        RetryContext context = policy.open(null);
        for (int i = 0; i < failedAttempt; i++) {
            policy.registerThrowable(context, error);
        }
        return policy.canRetry(context);
    }

    /**
     * The wait before the attempt after {@code failedAttempt}.
     *
     * @return nanoseconds
     */
    static long backoffNanos(RetryOptions options, int failedAttempt) {
        long[] slept = new long[1];
        BackOffPolicy policy = options.backOffPolicy();
        if (policy instanceof SleepingBackOffPolicy<?> sleeping) {
            policy = sleeping.withSleeper(millis -> slept[0] = millis);
        }
        BackOffContext context = policy.start(null);
        // Past 64 doublings every back-off is at its maximum.
        for (int i = 0; i < Math.min(failedAttempt, 64); i++) {
            policy.backOff(context);
        }
        return Math.max(0, slept[0]) * 1_000_000L;
    }
}
