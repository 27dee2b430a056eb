package dev.batcher.autoconfigure;

import dev.batcher.durable.DurableLogLockedException;

/**
 * A dispatcher's {@code buffer.durable.directory} is held by another running instance (another process, or another
 * dispatcher of this one): the application does not start rather than let two logs write into one directory.
 */
public class DurableBufferInUseException extends BatcherStartupException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param property the property that set the directory
     * @param dispatcherName the dispatcher
     * @param cause the log's refusal, naming the directory and the holder
     */
    DurableBufferInUseException(String property, String dispatcherName, DurableLogLockedException cause) {
        super(description(property, dispatcherName, cause) + " " + action(property),
                description(property, dispatcherName, cause), action(property), cause);
    }

    private static String description(String property, String dispatcherName, DurableLogLockedException cause) {
        return "The durable buffer of dispatcher '" + dispatcherName + "' (" + property + ") cannot be opened: "
                + cause.getMessage();
    }

    private static String action(String property) {
        return "Stop the other instance that uses this directory first, or give each running instance (and each "
                + "dispatcher) a directory of its own in " + property + ".";
    }
}
