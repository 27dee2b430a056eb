package dev.batcher.cost;

/**
 * Thrown by a {@link Watcher} when the datastore throttles it (an HTTP 429, Cosmos DB's {@code RequestRateTooLarge}).
 * The batcher then does what {@link Batcher#throttle()} does (pauses for {@code pause-time} and lowers its pace,
 * recovering gradually), and retries the batch after the pause while every operation in it has attempts left
 * under its watcher's max attempts; otherwise the batch is dropped. Found anywhere in the cause chain.
 */
public class ThrottledException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what the datastore said
     */
    public ThrottledException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     *
     * @param message what the datastore said
     * @param cause the datastore's exception
     */
    public ThrottledException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether {@code error} or one of its causes is a {@link ThrottledException}. */
    static boolean isThrottling(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ThrottledException) {
                return true;
            }
        }
        return false;
    }
}
