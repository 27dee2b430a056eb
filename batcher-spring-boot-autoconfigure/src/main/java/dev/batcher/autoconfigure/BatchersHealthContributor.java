package dev.batcher.autoconfigure;

import dev.batcher.cost.Batcher;
import dev.batcher.cost.BatcherStats;
import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherStats;
import dev.batcher.spring.BatcherRegistry;
import java.time.Duration;
import java.util.stream.Stream;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health contributor {@code batchers}: a composite with one child per instance, so that
 * {@code /actuator/health/batchers} shows every instance and {@code /actuator/health/batchers/orders} one. Children
 * follow the registry, so an instance built after startup appears too.
 *
 * <p>An instance is DOWN while its sink keeps failing ({@code consecutiveFailures >=
 * batcher.health.max-consecutive-failures}) or its buffer stays full ({@code bufferFullFor >=
 * batcher.health.max-full-duration}), with the detail {@code problem} saying which. A paused instance is UP with
 * {@code state: PAUSED}: an operator paused it on purpose, and it sends again when resumed (its full buffer does not
 * make it DOWN either). A closed one is UP with {@code state: CLOSED}.
 *
 * <p>A cost batcher is DOWN while its watchers keep failing (the same {@code max-consecutive-failures}; throttling is
 * not a failure) or while its capacity limiter reports an error it has not recovered from (shared capacity: the
 * batcher runs on its reserved capacity meanwhile), with its capacities in the details. A batcher paused by
 * throttling is UP with {@code state: PAUSED}.
 */
final class BatchersHealthContributor implements CompositeHealthContributor {

    private final BatcherRegistry registry;

    private final BatcherProperties.Health thresholds;

    BatchersHealthContributor(BatcherRegistry registry, BatcherProperties.Health thresholds) {
        this.registry = registry;
        this.thresholds = thresholds;
    }

    @Override
    public HealthContributor getContributor(String name) {
        return this.registry.find(name).map(this::indicator)
                .or(() -> this.registry.findBatcher(name).map(this::indicator))
                .orElse(null);
    }

    @Override
    public Stream<HealthContributors.Entry> stream() {
        return Stream.concat(this.registry.dispatchers().stream()
                .map(dispatcher -> new HealthContributors.Entry(dispatcher.name(), indicator(dispatcher))),
                this.registry.batchers().stream()
                        .map(batcher -> new HealthContributors.Entry(batcher.name(), indicator(batcher))));
    }

    private HealthIndicator indicator(Batcher batcher) {
        return () -> health(batcher.stats(), (this.registry instanceof DefaultBatcherRegistry starter)
                ? starter.observer(batcher.name()) : null);
    }

    private Health health(BatcherStats stats, BatcherObserver observer) {
        long failures = (observer != null) ? observer.consecutiveFailures() : 0;
        String limiterError = (observer != null) ? observer.limiterError() : null;
        String problem = null;
        int maxFailures = this.thresholds.getMaxConsecutiveFailures();
        if (!stats.closed() && maxFailures > 0 && failures >= maxFailures) {
            problem = "the watchers failed " + failures + " batches in a row (threshold "
                    + "batcher.health.max-consecutive-failures=" + maxFailures + ")";
        }
        else if (!stats.closed() && limiterError != null) {
            problem = "the capacity limiter failed: " + limiterError;
        }
        Health.Builder builder = (problem != null) ? Health.down() : Health.up();
        builder.withDetail("state", stats.closed() ? "CLOSED" : stats.paused() ? "PAUSED" : "RUNNING");
        if (problem != null) {
            builder.withDetail("problem", problem);
        }
        return builder.withDetail("kind", CostBatcherMeterBinder.KIND)
                .withDetail("paused", stats.paused())
                .withDetail("consecutiveFailures", failures)
                .withDetail("neededCapacity", stats.neededCapacity())
                .withDetail("grantedCapacity", stats.grantedCapacity())
                .withDetail("partitionsHeld", (observer != null) ? observer.partitionsHeld() : 0)
                .withDetail("bufferedItems", stats.operationsInBuffer())
                .withDetail("inFlightItems", stats.inFlightOperations())
                .build();
    }

    private HealthIndicator indicator(Dispatcher<?> dispatcher) {
        return () -> health(dispatcher.stats());
    }

    private Health health(DispatcherStats stats) {
        String problem = problem(stats);
        Health.Builder builder = (problem != null) ? Health.down() : Health.up();
        builder.withDetail("state", stats.closed() ? "CLOSED" : stats.paused() ? "PAUSED" : "RUNNING");
        if (problem != null) {
            builder.withDetail("problem", problem);
        }
        return builder.withDetail("kind", DispatcherMeterBinder.KIND)
                .withDetail("paused", stats.paused())
                .withDetail("consecutiveFailures", stats.consecutiveFailures())
                .withDetail("bufferFullFor", stats.bufferFullFor().toString())
                .withDetail("bufferedItems", stats.bufferedItems())
                .withDetail("inFlightItems", stats.inFlightItems())
                .build();
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
        if (!stats.paused() && maxFull != null && !maxFull.isZero() && stats.bufferFullFor().compareTo(maxFull) >= 0) {
            return "the buffer has been full for " + stats.bufferFullFor() + " (threshold "
                    + "batcher.health.max-full-duration=" + maxFull + ")";
        }
        return null;
    }
}
