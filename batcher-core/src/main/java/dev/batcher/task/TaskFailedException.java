package dev.batcher.task;

/**
 * A call ended with a {@link TaskReport.Kind#FAIL} report: the result future completes exceptionally with this.
 * {@link #code()} says why; in local mode the worker's exception is the cause.
 */
public class TaskFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String taskName;
    private final String taskId;
    private final TaskReport.FailureCode code;

    /**
     * Creates the exception.
     *
     * @param taskName the task name
     * @param taskId the call's id
     * @param code why it failed
     * @param detail what happened, or {@code null}
     * @param cause the worker's exception (local mode), or {@code null}
     */
    public TaskFailedException(String taskName, String taskId, TaskReport.FailureCode code, String detail,
            Throwable cause) {
        super("Task '" + taskName + "' (id " + taskId + ") failed with " + code
                + (detail == null ? "" : ": " + detail), cause);
        this.taskName = taskName;
        this.taskId = taskId;
        this.code = code;
    }

    /** The task name. */
    public String taskName() {
        return taskName;
    }

    /** The call's id. */
    public String taskId() {
        return taskId;
    }

    /** Why the call failed. */
    public TaskReport.FailureCode code() {
        return code;
    }
}
