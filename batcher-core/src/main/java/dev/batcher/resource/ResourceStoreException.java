package dev.batcher.resource;

/**
 * A batch of a {@link ResourceProcessor} failed in its load or save: every caller of the batch gets this exception
 * (elgopher's wrapped {@code LoadResource} / {@code SaveResource} error). It names the processor, the key and the
 * {@link Phase}; {@link #getCause()} is what the {@link ResourceStore} threw.
 *
 * <p>After a failed load no operation ran and nothing was saved. After a failed save the operations did run, on a
 * resource that was then not saved: values they returned are discarded, and the callers get this exception instead.
 */
public class ResourceStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The part of a batch that failed. */
    public enum Phase {
        /** {@link ResourceStore#load}, before any operation ran. */
        LOAD,
        /** {@link ResourceStore#save}, after the operations ran. */
        SAVE;

        String verb() {
            return this == LOAD ? "load" : "save";
        }
    }

    private final String processorName;
    private final transient Object key;
    private final Phase phase;

    /**
     * Creates the exception.
     *
     * @param processorName the processor
     * @param key the resource key of the batch
     * @param phase load or save
     * @param cause what the store threw
     */
    public ResourceStoreException(String processorName, Object key, Phase phase, Throwable cause) {
        this(processorName, key, phase, "ResourceProcessor '" + processorName + "': " + phase.verb()
                + " of resource '" + key + "' failed: " + cause, cause);
    }

    /**
     * Creates the exception with a message of its own.
     *
     * @param processorName the processor
     * @param key the resource key of the batch
     * @param phase load or save
     * @param message the message
     * @param cause what the store threw, or {@code null}
     */
    protected ResourceStoreException(String processorName, Object key, Phase phase, String message,
            Throwable cause) {
        super(message, cause);
        this.processorName = processorName;
        this.key = key;
        this.phase = phase;
    }

    /** The processor whose batch failed. */
    public String getProcessorName() {
        return processorName;
    }

    /** The resource key of the failed batch. */
    public Object getKey() {
        return key;
    }

    /** Whether the load or the save failed. */
    public Phase getPhase() {
        return phase;
    }
}
