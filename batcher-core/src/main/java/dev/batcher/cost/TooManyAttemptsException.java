package dev.batcher.cost;

/**
 * An operation was already handed to its watcher as many times as the watcher's
 * {@linkplain Watcher#maxAttempts() max attempts} allow (go-batcher's {@code TooManyAttemptsError}).
 */
public class TooManyAttemptsException extends OperationRefusedException {

    private static final long serialVersionUID = 1L;

    private final int attempts;

    /**
     * Creates the exception.
     *
     * @param batcherName the batcher
     * @param attempts the attempts the operation had
     * @param maxAttempts the watcher's max attempts
     */
    public TooManyAttemptsException(String batcherName, int attempts, int maxAttempts) {
        super(batcherName, "it was already attempted " + attempts + " time(s) and its watcher allows max-attempts="
                + maxAttempts);
        this.attempts = attempts;
    }

    /** The attempts the operation had. */
    public int getAttempts() {
        return attempts;
    }
}
