package dev.batcher.autoconfigure;

import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherStats;
import dev.batcher.spring.BatcherRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health contributor {@code batchers}: DOWN while any open instance's sink keeps failing
 * ({@code consecutiveFailures >= batcher.health.max-consecutive-failures}) or its buffer stays full
 * ({@code bufferFullFor >= batcher.health.max-full-duration}); details per instance.
 */
final class BatchersHealthIndicator extends AbstractHealthIndicator {

    private final BatcherRegistry registry;

    private final BatcherProperties.Health thresholds;

    BatchersHealthIndicator(BatcherRegistry registry, BatcherProperties.Health thresholds) {
        super("Batchers health check failed");
        this.registry = registry;
        this.thresholds = thresholds;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        boolean down = false;
        Map<String, Object> instances = new LinkedHashMap<>();
        for (Dispatcher<?> dispatcher : this.registry.dispatchers()) {
            DispatcherStats stats = dispatcher.stats();
            String problem = problem(stats);
            down |= problem != null;
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("status", stats.closed() ? "CLOSED" : (problem != null) ? "DOWN" : "UP");
            if (problem != null) {
                details.put("problem", problem);
            }
            details.put("kind", DispatcherMeterBinder.KIND);
            details.put("consecutiveFailures", stats.consecutiveFailures());
            details.put("bufferFullFor", stats.bufferFullFor().toString());
            details.put("bufferedItems", stats.bufferedItems());
            details.put("paused", stats.paused());
            instances.put(dispatcher.name(), details);
        }
        (down ? builder.down() : builder.up()).withDetails(instances);
    }

    private String problem(DispatcherStats stats) {
        if (stats.closed()) {
            return null;
        }
        int maxFailures = this.thresholds.getMaxConsecutiveFailures();
        if (maxFailures > 0 && stats.consecutiveFailures() >= maxFailures) {
            return "the sink failed " + stats.consecutiveFailures() + " times in a row (threshold "
                    + "batcher.health.max-consecutive-failures=" + maxFailures + ")";
        }
        Duration maxFull = this.thresholds.getMaxFullDuration();
        if (maxFull != null && !maxFull.isZero() && stats.bufferFullFor().compareTo(maxFull) >= 0) {
            return "the buffer has been full for " + stats.bufferFullFor() + " (threshold "
                    + "batcher.health.max-full-duration=" + maxFull + ")";
        }
        return null;
    }
}
