package dev.batcher.coordinate;

import java.util.concurrent.CancellationException;

/**
 * The batch was cancelled (by a contribution's {@link Round#cancel} or by {@link Coordinator#shutdownNow()}): its
 * commit did not run. Every contributor of the batch gets one, with the same {@link #getCause() cause}.
 */
public class BatchCancelledException extends CancellationException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param coordinator the coordinator's name
     * @param cause the cancel cause, or {@code null}
     */
    public BatchCancelledException(String coordinator, Throwable cause) {
        super("Coordinator '" + coordinator + "': the batch was cancelled and not committed"
                + (cause == null ? "" : ": " + cause));
        initCause(cause);
    }
}
