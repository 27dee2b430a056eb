package dev.batcher.autoconfigure;

import dev.batcher.BatchingEngine;
import dev.batcher.DropReason;
import dev.batcher.autoconfigure.BatchersEndpoint.BatcherDescriptor;
import dev.batcher.autoconfigure.BatchersEndpoint.EventDescriptor;
import dev.batcher.autoconfigure.BatchersEndpoint.LastBatchDescriptor;
import dev.batcher.autoconfigure.BatchersEndpoint.TotalsDescriptor;
import dev.batcher.cost.Batcher;
import dev.batcher.cost.BatcherStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.Health;

/**
 * A cost batcher as the endpoint and health show it, with its capacities, watchers and recent events. It is DOWN
 * while its watchers keep failing (the same {@code max-consecutive-failures}; throttling is not a failure) or while
 * its capacity limiter reports an error it has not recovered from (shared capacity: the batcher runs on its reserved
 * capacity meanwhile). Its pause is go-batcher's: it holds processing for {@code pause-time} and resumes by itself.
 */
final class CostBatcherView implements EngineView {

    private final Batcher batcher;

    private final BatcherObserver observer;

    private final Supplier<List<String>> watchers;

    CostBatcherView(Batcher batcher, BatcherObserver observer, Supplier<List<String>> watchers) {
        this.batcher = batcher;
        this.observer = observer;
        this.watchers = watchers;
    }

    @Override
    public BatchingEngine engine() {
        return this.batcher;
    }

    @Override
    public String kind() {
        return CostBatcherMeterBinder.KIND;
    }

    @Override
    public void control(String action) {
        if ("pause".equalsIgnoreCase(action) && this.batcher.isClosed()) {
            throw new IllegalStateException("Batcher '" + this.batcher.name() + "' is closed (the application is "
                    + "shutting down); pause refused");
        }
        EngineView.super.control(action);
    }

    @Override
    public BatcherDescriptor describe() {
        BatcherStats stats = this.batcher.stats();
        Map<String, Long> droppedByReason = new LinkedHashMap<>();
        for (DropReason reason : DropReason.values()) {
            long dropped = stats.dropped(reason);
            if (dropped > 0) {
                droppedByReason.put(reason.tagValue(), dropped);
            }
        }
        List<EventDescriptor> events = this.observer.recentEvents().stream()
                .map(event -> new EventDescriptor(event.name(), event.value(), event.message(), event.error(),
                        event.at()))
                .toList();
        return new BatcherDescriptor(this.batcher.name(), kind(), stats.operationsInBuffer(), 0,
                stats.inFlightBatches(), stats.inFlightOperations(), stats.paused(), stats.closed(),
                new TotalsDescriptor(stats.enqueued(), stats.processed(), stats.dropped(), Map.copyOf(droppedByReason),
                        stats.retried(), stats.processedBatches(), stats.failedAttempts(),
                        this.observer.consecutiveFailures()),
                new LastBatchDescriptor(stats.lastBatchSize(), stats.lastProcessedAt()), stats.neededCapacity(),
                stats.grantedCapacity(), stats.pace(), this.observer.partitionsHeld(), this.watchers.get(), events,
                null);
    }

    @Override
    public Health health(BatcherProperties.Health thresholds) {
        BatcherStats stats = this.batcher.stats();
        long failures = this.observer.consecutiveFailures();
        String limiterError = this.observer.limiterError();
        String problem = null;
        int maxFailures = thresholds.getMaxConsecutiveFailures();
        if (!stats.closed() && maxFailures > 0 && failures >= maxFailures) {
            problem = "the watchers failed " + failures + " batches in a row (threshold "
                    + "batcher.health.max-consecutive-failures=" + maxFailures + ")";
        }
        else if (!stats.closed() && limiterError != null) {
            problem = "the capacity limiter failed: " + limiterError;
        }
        Health.Builder builder = (problem != null) ? Health.down() : Health.up();
        builder.withDetail("state", EngineView.state(stats.closed(), stats.paused()));
        if (problem != null) {
            builder.withDetail("problem", problem);
        }
        return builder.withDetail("kind", kind())
                .withDetail("paused", stats.paused())
                .withDetail("consecutiveFailures", failures)
                .withDetail("neededCapacity", stats.neededCapacity())
                .withDetail("grantedCapacity", stats.grantedCapacity())
                .withDetail("partitionsHeld", this.observer.partitionsHeld())
                .withDetail("bufferedItems", stats.operationsInBuffer())
                .withDetail("inFlightItems", stats.inFlightOperations())
                .build();
    }
}
