package dev.batcher.autoconfigure;

/**
 * Batcher cannot start with the application's configuration or declarations: an invalid {@code @BatchSink} method,
 * two sinks for one name, a configured dispatcher without a sink, an invalid property value. Spring Boot prints it
 * as its {@code APPLICATION FAILED TO START} report: {@link #getDescription()} says what is wrong, naming the bean,
 * method or property, and {@link #getAction()} says how to fix it. The message holds both.
 */
public class BatcherStartupException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String description;

    private final String action;

    /**
     * Creates the exception.
     *
     * @param description what is wrong, naming the bean, method or property
     * @param action how to fix it
     */
    public BatcherStartupException(String description, String action) {
        this(description + " " + action, description, action, null);
    }

    /**
     * Creates the exception with a message of its own.
     *
     * @param message the exception message
     * @param description what is wrong, for the startup report
     * @param action how to fix it, for the startup report
     * @param cause the underlying exception, or {@code null}
     */
    protected BatcherStartupException(String message, String description, String action, Throwable cause) {
        super(message, cause);
        this.description = description;
        this.action = action;
    }

    /** What is wrong, naming the bean, method or property: the report's Description. */
    public String getDescription() {
        return this.description;
    }

    /** How to fix it: the report's Action. */
    public String getAction() {
        return this.action;
    }
}
