package dev.batcher.resource;

import java.time.Instant;

/**
 * A batch of a {@link ResourceProcessor} ran past its deadline (its start plus {@code max-duration}) in its load or
 * save, or reached its save with the deadline already passed: every caller of the batch gets this exception.
 * {@link #getPhase()} says where the time ran out; {@link #getCause()} is what the store threw, if it threw.
 *
 * <p>A save that was still running at the deadline may have stored the resource all the same (as with any timeout
 * of a remote write): the callers cannot tell.
 */
public class ResourceDeadlineException extends ResourceStoreException {

    private static final long serialVersionUID = 1L;

    private final Instant deadline;

    /**
     * Creates the exception.
     *
     * @param processorName the processor
     * @param key the resource key of the batch
     * @param phase where the time ran out
     * @param deadline the batch's deadline
     * @param cause what the store threw, or {@code null}
     */
    public ResourceDeadlineException(String processorName, Object key, Phase phase, Instant deadline,
            Throwable cause) {
        super(processorName, key, phase, "ResourceProcessor '" + processorName + "': the batch of resource '" + key
                + "' ran past its deadline " + deadline + " in " + phase.verb()
                + (cause != null ? " (" + cause + ")" : "") + "; make the store faster or raise max-duration", cause);
        this.deadline = deadline;
    }

    /** The batch's deadline: its start plus {@code max-duration}. */
    public Instant getDeadline() {
        return deadline;
    }
}
