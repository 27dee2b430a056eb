package dev.batcher;

import java.time.Duration;

/**
 * The failure recorded for an attempt that ran past {@code sendTimeout}. The sending thread is interrupted and the
 * attempt counts as failed, so the batch is retried or dropped like any other failure.
 */
public class SendTimeoutException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param dispatcherName the dispatcher
     * @param timeout the send timeout that was exceeded
     */
    public SendTimeoutException(String dispatcherName, Duration timeout) {
        this("Dispatcher", dispatcherName, timeout);
    }

    /**
     * Creates the exception for any engine.
     *
     * @param engineKind how messages name the engine, such as {@code Batcher}
     * @param engineName the engine
     * @param timeout the timeout that was exceeded
     */
    public SendTimeoutException(String engineKind, String engineName, Duration timeout) {
        super(engineKind + " '" + engineName + "': send did not finish within its timeout " + timeout);
    }
}
