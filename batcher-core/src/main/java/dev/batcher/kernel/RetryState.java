package dev.batcher.kernel;

import org.springframework.retry.RetryContext;
import org.springframework.retry.RetryPolicy;
import org.springframework.retry.backoff.BackOffContext;
import org.springframework.retry.backoff.BackOffInterruptedException;
import org.springframework.retry.backoff.BackOffPolicy;
import org.springframework.retry.backoff.Sleeper;
import org.springframework.retry.backoff.SleepingBackOffPolicy;

/**
 * The retry bookkeeping of one batch, on spring-retry's policies. The back-off policy is asked for the next wait
 * but never sleeps: a {@link SleepingBackOffPolicy} gets a {@link Sleeper} that records the requested period, which
 * the dispatcher then schedules on its timer, so a batch waiting for a retry holds no thread.
 */
final class RetryState {

    /** Retry and back-off policies of one dispatcher, shared by its batches. */
    static final class Policies {

        private final RetryPolicy retryPolicy;
        private final BackOffPolicy backOffPolicy;
        private final ThreadLocal<long[]> requestedSleep = ThreadLocal.withInitial(() -> new long[1]);

        Policies(RetryPolicy retryPolicy, BackOffPolicy backOffPolicy) {
            this.retryPolicy = retryPolicy;
            this.backOffPolicy = backOffPolicy instanceof SleepingBackOffPolicy<?> sleeping
                    ? sleeping.withSleeper(millis -> requestedSleep.get()[0] = millis)
                    : backOffPolicy;
        }

        RetryState open() {
            return new RetryState(this, retryPolicy.open(null));
        }
    }

    private final Policies policies;
    private final RetryContext retryContext;
    private BackOffContext backOffContext;
    private boolean backOffStarted;

    private RetryState(Policies policies, RetryContext retryContext) {
        this.policies = policies;
        this.retryContext = retryContext;
    }

    /**
     * Records a failed attempt.
     *
     * @return the wait before the next attempt in nanoseconds, or -1 when the retry policy allows no more
     */
    long onFailure(Throwable error) {
        policies.retryPolicy.registerThrowable(retryContext, error);
        if (!policies.retryPolicy.canRetry(retryContext)) {
            return -1;
        }
        if (!backOffStarted) {
            backOffContext = policies.backOffPolicy.start(retryContext);
            backOffStarted = true;
        }
        long[] cell = policies.requestedSleep.get();
        cell[0] = 0;
        try {
            policies.backOffPolicy.backOff(backOffContext);
        }
        catch (BackOffInterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return Math.max(0, cell[0]) * 1_000_000L;
    }
}
