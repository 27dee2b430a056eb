package dev.batcher.dispatch;

import dev.batcher.Batch;
import dev.batcher.ErrorHandler;
import dev.batcher.PermanentSendException;

/**
 * Sends one batch to its destination: a database, a queue, a remote API.
 *
 * <p>Return normally when the whole batch was accepted; throw to fail it. A failed batch is offered to the
 * {@link ErrorHandler} and retried according to the retry and back-off policies, or dropped. Throw
 * {@link PermanentSendException} for a failure that retrying cannot fix. The sender may be called from several
 * threads at once, up to {@code maxConcurrentSends}; it should respond to interruption, which is how a send that
 * overran {@code sendTimeout} or a {@link Dispatcher#shutdownNow()} is cancelled. A sender that cannot be interrupted
 * (JDBC, plain sockets) keeps its send slot until it returns, so it should bound its own calls with
 * {@link Batch#deadline()} (for example {@code Statement.setQueryTimeout}); its late outcome is ignored.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface BatchSender<T> {

    /**
     * Sends a batch.
     *
     * @param batch the batch, never {@code null}
     * @throws Exception when the batch could not be sent
     */
    void send(Batch<T> batch) throws Exception;
}
