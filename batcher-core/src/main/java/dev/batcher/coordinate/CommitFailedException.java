package dev.batcher.coordinate;

/**
 * The commit threw. Every contributor of the batch gets one, each with the same {@link #getCause() cause}: the
 * committer's exception.
 */
public class CommitFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param coordinator the coordinator's name
     * @param cause what the committer threw
     */
    public CommitFailedException(String coordinator, Throwable cause) {
        super("Coordinator '" + coordinator + "': the commit failed: " + cause, cause);
    }
}
