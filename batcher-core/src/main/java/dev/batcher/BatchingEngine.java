package dev.batcher;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What every Batcher engine shares (the Dispatcher, the cost Batcher, and the engines to come): a name, pause and
 * resume, flush, a bounded drain and a hard stop. Registries, the Spring lifecycle, the actuator endpoint and health
 * work on this contract.
 */
public interface BatchingEngine extends AutoCloseable {

    /** The name given at creation: threads, logs, meters and errors use it. */
    String name();

    /**
     * Cuts every partly filled batch now.
     *
     * @return completed once everything submitted before the call is settled
     */
    CompletableFuture<Void> flush();

    /**
     * Stops starting new sends; items keep being accepted until the buffer is full.
     *
     * @throws IllegalStateException when closing or closed: a pause would stall the drain
     */
    void pause();

    /** Undoes {@link #pause()}. */
    void resume();

    /**
     * Stops accepting items and waits at most {@code timeout} for everything accepted to be sent or dropped; what is
     * left is then dropped with {@link DropReason#SHUTDOWN}.
     *
     * @param timeout how long to wait for the drain
     * @return {@code true} if it drained in time, every outcome settled
     */
    boolean close(Duration timeout);

    /** {@link #close(Duration)} with the engine's configured drain timeout. */
    @Override
    void close();

    /** Stops at once: drops everything with {@link DropReason#CANCELLED} and interrupts running sends. */
    void shutdownNow();

    /** Whether {@link #close()} or {@link #shutdownNow()} was called. */
    boolean isClosed();

    /** Whether it is closed and every item ended sent or dropped, every outcome settled. */
    boolean isDrained();
}
