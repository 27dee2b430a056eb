package dev.batcher.durable;

import java.nio.file.Path;

/** A durable log could not do what was asked: its files could not be read or written, or it is in use or full. */
public class DurableLogException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path directory;

    /**
     * Creates the exception.
     *
     * @param directory the log's directory
     * @param message what happened and what to do about it
     * @param cause the I/O failure behind it, or null
     */
    public DurableLogException(Path directory, String message, Throwable cause) {
        super(message, cause);
        this.directory = directory;
    }

    /** The directory of the log ({@code buffer.durable.directory}). */
    public Path getDirectory() {
        return directory;
    }
}
