package dev.batcher.autoconfigure;

import dev.batcher.BatchingEngine;
import dev.batcher.autoconfigure.BatchersEndpoint.BatcherDescriptor;
import dev.batcher.autoconfigure.BatchersEndpoint.LastBatchDescriptor;
import dev.batcher.autoconfigure.BatchersEndpoint.TotalsDescriptor;
import dev.batcher.resource.BatchMetrics;
import dev.batcher.resource.ResourceProcessor;
import dev.batcher.resource.ResourceProcessorConfig;
import dev.batcher.resource.ResourceProcessorStats;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.health.contributor.Health;

/**
 * A resource processor as the endpoint and health show it ({@code kind: processor}). Totals map onto the shared
 * descriptor as: submitted = operations run, sent = operations completed in saved batches, dropped = operations
 * failed with their batch (or refused, or dropped at a stop), sentBatches = batches saved, failedAttempts = batches
 * failed; {@code details} holds its options, operation errors, cancellations and the last batch's timings. It is DOWN
 * while its batches keep failing ({@code batcher.health.max-consecutive-failures} batches in a row whose load or save
 * failed or ran past the deadline). It runs no batch before the application has started (paused until
 * {@link #start()}), like a dispatcher.
 */
final class ResourceProcessorView implements EngineView {

    private static final Log logger = LogFactory.getLog(ResourceProcessorView.class);

    private final ResourceProcessor<?, ?> processor;

    private final ProcessorObserver observer;

    private final String store;

    private final Runnable unbind;

    /** Whether it is paused: until the application started, or by an operator. */
    private volatile boolean paused;

    ResourceProcessorView(ResourceProcessor<?, ?> processor, ProcessorObserver observer, String store,
            boolean pausedUntilStart, Runnable unbind) {
        this.processor = processor;
        this.observer = observer;
        this.store = store;
        this.paused = pausedUntilStart;
        this.unbind = unbind;
    }

    @Override
    public BatchingEngine engine() {
        return this.processor;
    }

    @Override
    public String kind() {
        return ResourceProcessorMeterBinder.KIND;
    }

    @Override
    public void start() {
        if (this.paused && !this.processor.isClosed()) {
            this.processor.resume();
        }
        this.paused = false;
    }

    @Override
    public void control(String action) {
        EngineView.super.control(action);
        String normalized = action.toLowerCase(Locale.ROOT);
        if (normalized.equals("pause") || normalized.equals("resume")) {
            this.paused = normalized.equals("pause");
        }
    }

    @Override
    public void closed() {
        this.unbind.run();
        ResourceProcessorStats stats = this.processor.stats();
        logger.info("ResourceProcessor '" + stats.name() + "' closed: " + stats.completed() + " operation(s) in "
                + stats.savedBatches() + " saved batch(es), " + stats.failed() + " failed with their batch, "
                + stats.operationErrors() + " threw, " + stats.cancelled() + " cancelled"
                + (stats.drained() ? "" : "; not drained"));
    }

    @Override
    public BatcherDescriptor describe() {
        ResourceProcessorStats stats = this.processor.stats();
        ResourceProcessorConfig config = this.processor.config();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("store", this.store);
        details.put("minDuration", Formats.duration(config.minDuration()));
        details.put("maxDuration", Formats.duration(config.maxDuration()));
        details.put("maxConcurrentBatches", config.maxConcurrentBatches());
        details.put("operationErrors", stats.operationErrors());
        details.put("cancelled", stats.cancelled());
        details.put("abandonedBatches", stats.abandonedBatches());
        details.put("lostMetrics", stats.lostMetrics());
        BatchMetrics last = this.observer.last();
        if (last != null) {
            Map<String, Object> batch = new LinkedHashMap<>();
            batch.put("operations", last.operationCount());
            batch.put("loadMillis", last.loadDuration().toNanos() / 1e6);
            batch.put("saveMillis", last.saveDuration().toNanos() / 1e6);
            batch.put("totalMillis", last.totalDuration().toNanos() / 1e6);
            batch.put("error", (last.error() != null) ? String.valueOf(last.error().getMessage()) : null);
            details.put("lastBatch", batch);
        }
        return new BatcherDescriptor(stats.name(), kind(), stats.buffered(), 0, stats.inFlightBatches(),
                stats.inFlight(), this.paused, stats.closed(),
                new TotalsDescriptor(stats.submitted(), stats.completed(), stats.failed(), Map.of(), 0,
                        stats.savedBatches(), stats.failedBatches(), this.observer.consecutiveFailures()),
                new LastBatchDescriptor(stats.lastBatchOperations(), stats.lastSavedAt()), null, null, null, null,
                null, null, details);
    }

    @Override
    public Health health(BatcherProperties.Health thresholds) {
        ResourceProcessorStats stats = this.processor.stats();
        long failures = this.observer.consecutiveFailures();
        int max = thresholds.getMaxConsecutiveFailures();
        boolean down = !stats.closed() && max > 0 && failures >= max;
        Health.Builder builder = down ? Health.down() : Health.up();
        builder.withDetail("state", EngineView.state(stats.closed(), this.paused));
        if (down) {
            BatchMetrics last = this.observer.last();
            builder.withDetail("problem", "the last " + failures + " batches failed (threshold "
                    + "batcher.health.max-consecutive-failures=" + max + ")"
                    + ((last != null && last.error() != null) ? ": " + last.error().getMessage() : ""));
        }
        return builder.withDetail("kind", kind())
                .withDetail("paused", this.paused)
                .withDetail("consecutiveFailures", failures)
                .withDetail("bufferedItems", stats.buffered())
                .withDetail("inFlightItems", stats.inFlight())
                .build();
    }
}
