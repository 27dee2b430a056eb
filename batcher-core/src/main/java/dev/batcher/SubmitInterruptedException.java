package dev.batcher;

/**
 * A producer was interrupted while it waited for room in a full buffer ({@link FullBehavior#BLOCK}). The item is
 * counted as dropped with {@link DropReason#INTERRUPTED} and the drop handler is told; the thread keeps its interrupt
 * flag.
 */
public class SubmitInterruptedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param engine the engine whose buffer was full, such as {@code Dispatcher 'orders'}
     */
    public SubmitInterruptedException(String engine) {
        super(engine + ": the producer was interrupted while waiting for room in the full buffer; "
                + "the item was dropped (reason interrupted)");
    }
}
