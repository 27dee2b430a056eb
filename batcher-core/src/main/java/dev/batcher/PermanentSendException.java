package dev.batcher;

/**
 * Thrown by a {@link BatchSender} (directly or as a cause) for a failure that retrying cannot fix, such as a
 * constraint violation or a malformed payload. The default {@link ErrorHandler} drops such a batch at once with
 * {@link DropReason#NOT_RETRYABLE}.
 */
public class PermanentSendException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     */
    public PermanentSendException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     * @param cause the underlying failure
     */
    public PermanentSendException(String message, Throwable cause) {
        super(message, cause);
    }
}
