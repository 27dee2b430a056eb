package dev.batcher.resource;

import java.util.concurrent.CancellationException;

/**
 * An operation was cancelled before it ran and never will (elgopher's {@code OperationCancelled}): its future was
 * cancelled, or {@link ResourceProcessor#runAndWait} timed out while it was still waiting for its batch. As a
 * {@link CancellationException}, the future reports {@code isCancelled()} and {@code get()} throws it.
 */
public class OperationCancelledException extends CancellationException {

    private static final long serialVersionUID = 1L;

    private final String processorName;
    private final transient Object key;

    /**
     * Creates the exception.
     *
     * @param processorName the processor
     * @param key the resource key the operation was for
     * @param why how it was cancelled
     */
    public OperationCancelledException(String processorName, Object key, String why) {
        super("ResourceProcessor '" + processorName + "': the operation on resource '" + key
                + "' was cancelled before it ran (" + why + ")");
        this.processorName = processorName;
        this.key = key;
    }

    /** The processor. */
    public String getProcessorName() {
        return processorName;
    }

    /** The resource key the operation was for. */
    public Object getKey() {
        return key;
    }
}
