package dev.batcher.durable;

import java.nio.file.Path;

/**
 * Another open {@link DurableLog}, in this process or another one, holds the lock file of the directory. Two
 * instances must not share a {@code buffer.durable.directory}: close the other one first, or give each instance a
 * directory of its own.
 */
public class DurableLogLockedException extends DurableLogException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param directory the directory in use
     * @param message who holds it and what to do
     */
    public DurableLogLockedException(Path directory, String message) {
        super(directory, message, null);
    }
}
