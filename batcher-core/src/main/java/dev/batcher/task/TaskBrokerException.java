package dev.batcher.task;

/** A broker could not do what was asked: it is unreachable, or refused the task (for example, over its size limit). */
public class TaskBrokerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed and what to do about it
     * @param cause the broker client's exception, or {@code null}
     */
    public TaskBrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
