package dev.batcher.coordinate;

/**
 * Another contribution of the batch threw, so the batch was aborted and its commit did not run (nikandfor's
 * {@code PanicError}). {@link #getCause()} is that contribution's exception; the contributor that threw got it itself.
 */
public class BatchAbortedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param coordinator the coordinator's name
     * @param cause the exception the aborting contribution threw
     */
    public BatchAbortedException(String coordinator, Throwable cause) {
        super("Coordinator '" + coordinator + "': the batch was aborted, not committed: another contribution threw "
                + cause, cause);
    }
}
