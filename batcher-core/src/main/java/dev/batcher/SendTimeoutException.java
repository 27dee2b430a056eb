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
        super("Dispatcher '" + dispatcherName + "': send did not finish within send-timeout " + timeout);
    }
}
