package dev.batcher.cost;

/**
 * {@link Batcher#enqueue(Operation)} refused an operation that could never be processed. The checks run in
 * go-batcher's order, each with its own exception: {@link NoOperationException}, {@link NoWatcherException},
 * {@link TooExpensiveException}, {@link TooManyAttemptsException}. Nothing is counted for a refused operation and the
 * needed capacity is unchanged. (A full buffer is a {@link dev.batcher.BufferFullException}.)
 */
public abstract class OperationRefusedException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String batcherName;

    /**
     * Creates the exception.
     *
     * @param batcherName the batcher that refused the operation
     * @param message what was wrong and how to fix it
     */
    protected OperationRefusedException(String batcherName, String message) {
        super("Batcher '" + batcherName + "' refused the operation: " + message);
        this.batcherName = batcherName;
    }

    /** The name of the batcher that refused the operation. */
    public String getBatcherName() {
        return batcherName;
    }
}
