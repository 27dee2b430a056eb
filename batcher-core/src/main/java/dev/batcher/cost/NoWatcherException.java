package dev.batcher.cost;

/** An operation has no {@link Watcher} to process it (go-batcher's {@code NoWatcherError}). */
public class NoWatcherException extends OperationRefusedException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param batcherName the batcher
     * @param operation the operation without a watcher
     */
    public NoWatcherException(String batcherName, Operation<?> operation) {
        super(batcherName, operation + " has no watcher; create it with the Watcher that processes it");
    }
}
