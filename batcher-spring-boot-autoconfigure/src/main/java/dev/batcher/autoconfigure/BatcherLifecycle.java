package dev.batcher.autoconfigure;

import dev.batcher.BatchingEngine;
import dev.batcher.cost.Batcher;
import dev.batcher.dispatch.Dispatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the dispatchers and cost batchers before the web server takes traffic and drains them after it stopped.
 *
 * <p>Its {@linkplain #PHASE phase} is below the web server's lifecycles ({@code WebServerStartStopLifecycle} at
 * {@code DEFAULT_PHASE - 2048}, {@code WebServerGracefulShutdownLifecycle} at {@code DEFAULT_PHASE - 1024}), and
 * below listener containers such as Kafka's ({@code DEFAULT_PHASE - 100}): on startup the sinks are bound and the
 * dispatchers resumed first; on shutdown the server finishes its requests and the containers stop feeding items,
 * then every dispatcher drains, in parallel, within {@code batcher.shutdown.timeout}. What is left is dropped with
 * reason {@code shutdown}.
 *
 * <p>Spring waits {@code spring.lifecycle.timeout-per-shutdown-phase} for the phase, then destroys the beans, which
 * cuts a longer drain short; so startup warns when that is shorter than {@code batcher.shutdown.timeout} plus
 * {@link #CLOSE_MARGIN}.
 */
final class BatcherLifecycle implements SmartLifecycle {

    /** The phase: {@code DEFAULT_PHASE - 4096}, before (start) and after (stop) the web server's lifecycles. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    /**
     * What {@code Dispatcher.close(timeout)} may take beyond its timeout: it drops what is left and waits up to 5
     * seconds for those drops to settle (futures completed, drop handlers called).
     */
    static final Duration CLOSE_MARGIN = Duration.ofSeconds(5);

    private static final Log logger = LogFactory.getLog(BatcherLifecycle.class);

    private static final Executor DRAIN_THREADS = task -> {
        Thread thread = new Thread(task, "batcher-drain");
        thread.start();
    };

    private final DefaultBatcherRegistry registry;

    private final Duration timeout;

    private final Duration phaseTimeout;

    private volatile boolean running;

    /**
     * Creates the lifecycle.
     *
     * @param registry the dispatchers
     * @param timeout {@code batcher.shutdown.timeout}
     * @param phaseTimeout {@code spring.lifecycle.timeout-per-shutdown-phase}
     */
    BatcherLifecycle(DefaultBatcherRegistry registry, Duration timeout, Duration phaseTimeout) {
        this.registry = registry;
        this.timeout = timeout;
        this.phaseTimeout = phaseTimeout;
    }

    @Override
    public void start() {
        Duration needed = this.timeout.plus(CLOSE_MARGIN);
        if (this.phaseTimeout.compareTo(needed) < 0 && !this.registry.names().isEmpty()) {
            logger.warn("spring.lifecycle.timeout-per-shutdown-phase=" + Formats.duration(this.phaseTimeout)
                    + " is shorter than batcher.shutdown.timeout=" + Formats.duration(this.timeout)
                    + " plus the " + CLOSE_MARGIN.toSeconds() + "s that closing an instance may take beyond it: on "
                    + "shutdown Spring would stop waiting and close the instances before they drained, dropping what "
                    + "they hold. Set spring.lifecycle.timeout-per-shutdown-phase to at least "
                    + Formats.duration(needed) + ((this.phaseTimeout.compareTo(CLOSE_MARGIN) > 0)
                            ? ", or batcher.shutdown.timeout to at most "
                                    + Formats.duration(this.phaseTimeout.minus(CLOSE_MARGIN))
                            : "") + ".");
        }
        this.registry.start();
        this.running = true;
    }

    @Override
    public void stop() {
        CountDownLatch latch = new CountDownLatch(1);
        stop(latch::countDown);
        try {
            latch.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop(Runnable callback) {
        this.running = false;
        List<CompletableFuture<Void>> drains = new ArrayList<>();
        this.registry.dispatchers().forEach(dispatcher ->
                drains.add(CompletableFuture.runAsync(() -> drain(dispatcher), DRAIN_THREADS)));
        this.registry.batchers().forEach(batcher ->
                drains.add(CompletableFuture.runAsync(() -> drain(batcher), DRAIN_THREADS)));
        this.registry.otherEngines().forEach(view ->
                drains.add(CompletableFuture.runAsync(() -> drain(view), DRAIN_THREADS)));
        CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new)).whenComplete((result, ex) -> callback.run());
    }

    private void drain(Dispatcher<?> dispatcher) {
        try {
            dispatcher.resume();
            if (!dispatcher.close(this.timeout)) {
                logger.warn("Dispatcher '" + dispatcher.name() + "' did not drain within batcher.shutdown.timeout="
                        + this.timeout + "; what was left is dropped with reason 'shutdown'");
            }
        }
        catch (RuntimeException ex) {
            logger.warn("Failed to drain dispatcher '" + dispatcher.name() + "'", ex);
        }
        finally {
            this.registry.closed(dispatcher.name());
        }
    }

    private void drain(Batcher batcher) {
        try {
            if (!batcher.close(this.timeout)) {
                logger.warn("Batcher '" + batcher.name() + "' did not drain within batcher.shutdown.timeout="
                        + this.timeout + "; what was left is dropped with reason 'shutdown'");
            }
        }
        catch (RuntimeException ex) {
            logger.warn("Failed to drain batcher '" + batcher.name() + "'", ex);
        }
        finally {
            this.registry.batcherClosed(batcher.name());
        }
    }

    private void drain(EngineView view) {
        BatchingEngine engine = view.engine();
        try {
            if (!engine.close(this.timeout)) {
                logger.warn(Formats.capitalized(view.kind()) + " '" + engine.name() + "' did not drain within "
                        + "batcher.shutdown.timeout=" + this.timeout + "; what was left is dropped with reason "
                        + "'shutdown'");
            }
        }
        catch (RuntimeException ex) {
            logger.warn("Failed to drain " + view.kind() + " '" + engine.name() + "'", ex);
        }
        finally {
            this.registry.engineClosed(engine.name());
        }
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
