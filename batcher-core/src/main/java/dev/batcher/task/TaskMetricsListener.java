package dev.batcher.task;

import java.time.Duration;

/**
 * Told about every call and attempt, for meters (the Spring starter binds Micrometer to it). Called on the thread
 * that settles the event, so it must be quick; an exception it throws is logged and ignored.
 */
public interface TaskMetricsListener {

    /**
     * A call was made.
     *
     * @param taskName the task name
     */
    default void submitted(String taskName) {
    }

    /**
     * A call ended with Success.
     *
     * @param taskName the task name
     * @param duration from the call to its outcome
     */
    default void succeeded(String taskName, Duration duration) {
    }

    /**
     * A call ended with Fail.
     *
     * @param taskName the task name
     * @param code why
     * @param duration from the call to its outcome
     */
    default void failed(String taskName, TaskReport.FailureCode code, Duration duration) {
    }

    /**
     * A failed attempt was scheduled again.
     *
     * @param taskName the task name
     * @param nextAttempt the attempt that will run
     * @param backoff how long until it may start
     */
    default void retried(String taskName, int nextAttempt, Duration backoff) {
    }
}
