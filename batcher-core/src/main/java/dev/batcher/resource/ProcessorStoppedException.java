package dev.batcher.resource;

/**
 * A {@link ResourceProcessor} is stopped: {@link ResourceProcessor#run} after {@code close()} gets this exception
 * (elgopher's {@code ProcessorStopped}), and so does an operation still waiting when the drain ran out of time or
 * {@code shutdownNow()} was called; such an operation never ran.
 */
public class ProcessorStoppedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String processorName;

    /**
     * Creates the exception.
     *
     * @param processorName the processor
     * @param detail what happened to the operation
     */
    public ProcessorStoppedException(String processorName, String detail) {
        super("ResourceProcessor '" + processorName + "' is stopped: " + detail);
        this.processorName = processorName;
    }

    /** The stopped processor. */
    public String getProcessorName() {
        return processorName;
    }
}
