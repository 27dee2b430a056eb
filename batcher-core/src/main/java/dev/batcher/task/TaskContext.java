package dev.batcher.task;

/**
 * The running call, as its worker sees it. A worker method takes it by declaring a parameter of this type (it is not
 * one of the call's arguments); a {@link TaskFunction} gets it as its first argument.
 */
public interface TaskContext {

    /** The task name. */
    String name();

    /** The call's id. */
    String taskId();

    /** The attempt running now: 1 the first time, one more for each retry. */
    int attempt();

    /**
     * Sends a {@link TaskReport.Kind#PROGRESS} report with {@code value} (marshalled) to the caller; does nothing when
     * the caller ignores reports.
     *
     * @param value the progress, for example a percentage or a small record
     */
    void progress(Object value);

    /** Whether the call has timed out or the queue is shutting down: a long worker should stop early. */
    boolean isCancelled();
}
