package dev.batcher.autoconfigure;

import dev.batcher.spring.BatcherRegistry;
import java.util.stream.Stream;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
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
 * <p>Each kind decides its own health ({@link EngineView#health}). A cost batcher is DOWN while its watchers keep failing (the same {@code max-consecutive-failures}; throttling is
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
        return EngineView.find(this.registry, name).map(this::indicator).orElse(null);
    }

    @Override
    public Stream<HealthContributors.Entry> stream() {
        return EngineView.all(this.registry).stream()
                .map(view -> new HealthContributors.Entry(view.engine().name(), indicator(view)));
    }

    private HealthIndicator indicator(EngineView view) {
        return () -> view.health(this.thresholds);
    }
}
