package dev.batcher;

import java.util.concurrent.RejectedExecutionException;

/**
 * Thrown by a submit when the buffer has no room: at once with {@link FullBehavior#REJECT}, after the block
 * timeout with {@link FullBehavior#BLOCK}. The item is counted as dropped with {@link DropReason#BUFFER_FULL}.
 */
public class BufferFullException extends RejectedExecutionException {

    private static final long serialVersionUID = 1L;

    private final String dispatcherName;

    /**
     * Creates the exception.
     *
     * @param dispatcherName the dispatcher that refused the item
     * @param message what happened and how to avoid it
     */
    public BufferFullException(String dispatcherName, String message) {
        super(message);
        this.dispatcherName = dispatcherName;
    }

    /** The name of the dispatcher whose buffer was full. */
    public String getDispatcherName() {
        return dispatcherName;
    }
}
