package dev.batcher.task;

import java.util.function.Consumer;

/**
 * Carries calls from callers to workers and reports back: the remote half of the task queue. One implementation
 * ships, on Redis Streams ({@code dev.batcher.redis.RedisTaskBroker} in {@code batcher-redis}); the local mode needs
 * none.
 *
 * <p>Contract: at least once. A published task is delivered to one consumer of its name; it is acknowledged only when
 * the consumer's {@link TaskDelivery} stage completes normally; a task left unacknowledged past the reclaim idle time
 * (its worker died) is delivered again with a higher {@link TaskMessage#delivery()}; a task delivered more than the
 * broker's max deliveries is moved to a dead-letter store and a {@link TaskReport.FailureCode#DEAD_LETTER} report is
 * stored for it. A task with a {@link TaskMessage#notBefore()} in the future is delivered no earlier. Reports are kept
 * for a time to live, so a caller that subscribes late still gets them.
 */
public interface TaskBroker extends AutoCloseable {

    /**
     * Stores a task for delivery to a consumer of its name.
     *
     * @param task the task
     * @throws TaskBrokerException when the broker cannot take it (unreachable, payload over its limit)
     */
    void publish(TaskMessage task);

    /**
     * Stores a task without waiting for the broker: the client calls this, so that one caller thread can have many
     * calls on their way at once (pipelined) instead of one round trip each. The default waits in
     * {@link #publish}.
     *
     * @param task the task
     * @return completes once the broker has the task, or exceptionally with a {@link TaskBrokerException}
     * @throws TaskBrokerException when the task is refused at once (payload over the broker's limit)
     * @throws IllegalStateException when the broker is closed
     */
    default java.util.concurrent.CompletableFuture<Void> publishAsync(TaskMessage task) {
        publish(task);
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /**
     * Starts delivering the tasks of one name to a worker.
     *
     * @param name the task name
     * @param concurrency how many tasks this consumer may hold unacknowledged at once
     * @param worker runs each delivered task
     * @return stops the consumer (tasks it holds stay pending and go to another consumer after the idle time)
     */
    AutoCloseable consume(String name, int concurrency, TaskDelivery worker);

    /**
     * Stores a report for the task's caller (a final one with the broker's time to live).
     *
     * @param report the report
     */
    void report(TaskReport report);

    /**
     * Stores a report without waiting for the broker, so that the worker thread that ran the task is free at once
     * (the task queue uses it for the final report, and acknowledges the task when the returned stage completes).
     * Reports of one task must be given in order, each after the previous one's stage completed or after {@link
     * #report} returned for it. The default calls {@link #report}.
     *
     * @param report the report
     * @return completes once the broker stored the report, or exceptionally with a {@link TaskBrokerException}
     * @throws IllegalStateException when the broker is closed
     */
    default java.util.concurrent.CompletableFuture<Void> reportAsync(TaskReport report) {
        try {
            report(report);
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        catch (TaskBrokerException ex) {
            return java.util.concurrent.CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * Sends the reports of one task to {@code listener}, those stored before the call first, until the final one.
     *
     * @param name the task name
     * @param taskId the task's id
     * @param listener gets each report once, in order; called on a broker thread, so it must not block
     * @return stops the subscription
     */
    AutoCloseable subscribe(String name, String taskId, Consumer<TaskReport> listener);

    /**
     * Like {@link #subscribe}, for a task that is not published yet: the caller subscribes, then publishes, so no
     * report can be stored before this call and a broker may skip reading the stored ones (the task queue's
     * {@code call} does this; one read of Redis less per call). The default calls {@link #subscribe}.
     *
     * @param name the task name
     * @param taskId the id of a task that this caller publishes after this call returns
     * @param listener gets each report once, in order; called on a broker thread, so it must not block
     * @return stops the subscription
     */
    default AutoCloseable subscribeBeforePublish(String name, String taskId, Consumer<TaskReport> listener) {
        return subscribe(name, taskId, listener);
    }

    /**
     * What the broker holds for one task name now.
     *
     * @param name the task name
     * @return depth, pending, dead letters and consumers
     */
    TaskQueueStats stats(String name);

    /** Stops every consumer and subscription of this broker; tasks not acknowledged stay pending. */
    @Override
    void close();
}
