package dev.batcher.autoconfigure;

import dev.batcher.coordinate.CommitEvent;
import dev.batcher.coordinate.Coordinator;
import dev.batcher.coordinate.CoordinatorStats;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters of coordinators, tagged {@code name} and {@code kind=coordinator}:
 * <ul>
 *   <li>{@code batcher.coordinator.contributors} (summary, contributors): contributions per commit that ran;</li>
 *   <li>{@code batcher.coordinator.commit} (timer, tag {@code outcome} {@code committed} | {@code failed}): how long
 *       each commit ran;</li>
 *   <li>{@code batcher.coordinator.contributions} (counter): contributions made;</li>
 *   <li>{@code batcher.coordinator.batches.cancelled}, {@code .aborted} (counters): batches cancelled by a
 *       contribution (or a hard stop) and aborted by a contribution that threw, no commit run;</li>
 *   <li>{@code batcher.coordinator.commits.failed} (counter): commits that threw.</li>
 * </ul>
 * The commit meters are recorded from the coordinator's commit events, on its event thread; the counters read
 * {@link Coordinator#stats()} when the registry polls them. Every meter of a coordinator is removed when it closes.
 */
final class CoordinatorMeterBinder implements EngineInstrumentation<Coordinator<?, ?>, CoordinatorObserver> {

    static final String KIND = "coordinator";

    private final MeterRegistry registry;

    private final Map<String, List<Meter>> meters = new ConcurrentHashMap<>();

    CoordinatorMeterBinder(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void bind(Coordinator<?, ?> coordinator, CoordinatorObserver observer) {
        Tags tags = Tags.of("name", coordinator.name(), "kind", KIND);
        List<Meter> list = this.meters.computeIfAbsent(coordinator.name(), key -> new CopyOnWriteArrayList<>());
        DistributionSummary contributors = DistributionSummary.builder("batcher.coordinator.contributors")
                .description("Contributions per commit: how many callers one commit served")
                .baseUnit("contributors")
                .tags(tags)
                .register(this.registry);
        Timer committed = commitTimer(tags.and("outcome", "committed"));
        Timer failed = commitTimer(tags.and("outcome", "failed"));
        list.addAll(List.of(contributors, committed, failed));
        list.add(counter("batcher.coordinator.contributions", "Contributions made", "contributions", coordinator,
                tags, CoordinatorStats::contributions));
        list.add(counter("batcher.coordinator.batches.cancelled", "Batches cancelled by a contribution or a hard "
                + "stop; no commit ran", "batches", coordinator, tags, CoordinatorStats::cancelledBatches));
        list.add(counter("batcher.coordinator.batches.aborted", "Batches aborted by a contribution that threw; no "
                + "commit ran", "batches", coordinator, tags, CoordinatorStats::abortedBatches));
        list.add(counter("batcher.coordinator.commits.failed", "Commits that threw; every contributor of the batch "
                + "got a CommitFailedException", "commits", coordinator, tags, CoordinatorStats::failedCommits));
        observer.meters(event -> {
            if (event.outcome() == CommitEvent.Outcome.COMMITTED || event.outcome() == CommitEvent.Outcome.FAILED) {
                contributors.record(event.contributors());
                (event.outcome() == CommitEvent.Outcome.COMMITTED ? committed : failed).record(event.duration());
            }
        });
    }

    private Timer commitTimer(Tags tags) {
        return Timer.builder("batcher.coordinator.commit")
                .description("Time one commit ran, for all the contributors of its batch")
                .tags(tags)
                .register(this.registry);
    }

    private FunctionCounter counter(String meterName, String description, String baseUnit,
            Coordinator<?, ?> coordinator, Tags tags, ToDoubleFunction<CoordinatorStats> value) {
        return FunctionCounter.builder(meterName, coordinator, c -> value.applyAsDouble(c.stats()))
                .description(description)
                .baseUnit(baseUnit)
                .tags(tags)
                .register(this.registry);
    }

    @Override
    public void unbind(String name) {
        List<Meter> removed = this.meters.remove(name);
        if (removed != null) {
            removed.forEach(this.registry::remove);
        }
    }
}
