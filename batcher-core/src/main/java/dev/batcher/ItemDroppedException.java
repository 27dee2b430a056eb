package dev.batcher;

/**
 * Completes the future of a submitted item that was dropped instead of sent. {@link #getReason()} tells why;
 * {@link #getCause()} is the last send failure when there was one.
 */
public class ItemDroppedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String dispatcherName;

    private final DropReason reason;

    /**
     * Creates the exception.
     *
     * @param dispatcherName the dispatcher that dropped the item
     * @param reason why
     * @param cause the last send failure, or {@code null}
     */
    public ItemDroppedException(String dispatcherName, DropReason reason, Throwable cause) {
        this("Dispatcher", dispatcherName, reason, cause);
    }

    /**
     * Creates the exception for any engine.
     *
     * @param engineKind how messages name the engine, such as {@code Batcher}
     * @param engineName the engine that dropped the item
     * @param reason why
     * @param cause the last send failure, or {@code null}
     */
    public ItemDroppedException(String engineKind, String engineName, DropReason reason, Throwable cause) {
        super(engineKind + " '" + engineName + "' dropped the item: " + reason.tagValue()
                + (cause != null ? " (" + cause + ")" : ""), cause);
        this.dispatcherName = engineName;
        this.reason = reason;
    }

    /** The name of the dispatcher that dropped the item. */
    public String getDispatcherName() {
        return dispatcherName;
    }

    /** Why the item was dropped. */
    public DropReason getReason() {
        return reason;
    }
}
