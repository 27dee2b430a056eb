package dev.batcher.cost;

/** {@link Batcher#enqueue(Operation)} was given {@code null} (go-batcher's {@code NoOperationError}). */
public class NoOperationException extends OperationRefusedException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param batcherName the batcher
     */
    public NoOperationException(String batcherName) {
        super(batcherName, "the operation is null; pass an Operation such as Operation.of(watcher, cost, payload)");
    }
}
