package dev.batcher.resource;

import java.time.Duration;
import java.time.Instant;

/**
 * Measurements of one finished batch of a {@link ResourceProcessor} (elgopher's {@code Metric}), delivered to
 * {@link BatchMetricsListener}s.
 *
 * @param batchStart when the batch's first operation arrived
 * @param key the resource key
 * @param operationCount operations in the batch, cancelled ones included
 * @param loadDuration how long {@link ResourceStore#load} took ({@link Duration#ZERO} if it was not called)
 * @param saveDuration how long {@link ResourceStore#save} took ({@link Duration#ZERO} if it was not called)
 * @param totalDuration from {@code batchStart} until the batch ended
 * @param error why the batch failed ({@link ResourceStoreException}, {@link ResourceDeadlineException}), or
 *     {@code null} if it was saved; an operation's own exception is not a batch error
 */
public record BatchMetrics(Instant batchStart, Object key, int operationCount, Duration loadDuration,
        Duration saveDuration, Duration totalDuration, Throwable error) {

    /** Whether the batch was saved. */
    public boolean succeeded() {
        return error == null;
    }
}
