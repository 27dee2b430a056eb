package dev.batcher.task;

import java.util.Collection;

/** A call named a task that is neither registered nor declared. */
public class UnknownTaskException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String taskName;

    /**
     * Creates the exception.
     *
     * @param taskName the name called
     * @param known the names that are registered or declared
     */
    public UnknownTaskException(String taskName, Collection<String> known) {
        super("No task is registered under '" + taskName + "': register a worker with TaskRegistry.register(\""
                + taskName + "\", ...) or a @TaskWorker(\"" + taskName + "\") method, or, in a caller-only process, "
                + "declare it with TaskRegistry.declare(\"" + taskName + "\", ...); known tasks: " + known);
        this.taskName = taskName;
    }

    /** The name called. */
    public String taskName() {
        return taskName;
    }
}
