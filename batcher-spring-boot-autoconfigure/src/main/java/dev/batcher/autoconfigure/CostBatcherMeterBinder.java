package dev.batcher.autoconfigure;

import dev.batcher.DropReason;
import dev.batcher.cost.Batcher;
import dev.batcher.cost.BatcherStats;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters of cost batchers, tagged {@code name} and {@code kind=batcher}: the capacity it needs and is
 * granted, partitions of shared capacity held, capacity requests, pauses and throttles, operations by outcome, and
 * batch sizes; plus the buffer, in-flight, paused and batch size meters under the dispatchers' names, descriptions
 * and units (an operation counts as an item there, a watcher's batch as a send), so that one dashboard shows both.
 *
 * <p>Totals and gauges read {@link Batcher#stats()} or the {@link BatcherObserver} when the registry polls them;
 * batch sizes are recorded as each batch reaches its watcher. Every meter of a batcher is removed when it closes.
 */
final class CostBatcherMeterBinder implements CostBatcherInstrumentation {

    static final String KIND = "batcher";

    private final MeterRegistry registry;

    private final Map<String, List<Meter>> meters = new ConcurrentHashMap<>();

    CostBatcherMeterBinder(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void bind(Batcher batcher, BatcherObserver observer) {
        String name = batcher.name();
        Tags tags = Tags.of("name", name, "kind", KIND);
        List<Meter> list = this.meters.computeIfAbsent(name, key -> new CopyOnWriteArrayList<>());
        list.add(gauge("batcher.capacity.needed", "Capacity the batcher needs: the cost of every operation enqueued "
                + "and not yet done (go-batcher's NeedsCapacity), in cost units", batcher, tags,
                BatcherStats::neededCapacity));
        list.add(gauge("batcher.capacity.granted", "Capacity the capacity limiter grants now, in cost units per "
                + "second; 0 without a limiter", batcher, tags, BatcherStats::grantedCapacity));
        list.add(gauge("batcher.capacity.pace", "Cost units per second batches go at now: the granted capacity, "
                + "lowered after throttling; 0 without a limiter", batcher, tags, BatcherStats::pace));
        list.add(Gauge.builder("batcher.capacity.partitions", observer, BatcherObserver::partitionsHeld)
                .description("Partitions of shared capacity held; 0 without shared capacity")
                .baseUnit("partitions")
                .tags(tags)
                .register(this.registry));
        list.add(FunctionCounter.builder("batcher.capacity.requests", observer, BatcherObserver::capacityRequests)
                .description("Times the batcher told its capacity limiter what it needs")
                .baseUnit("requests")
                .tags(tags)
                .register(this.registry));
        list.add(FunctionCounter.builder("batcher.pauses", observer, BatcherObserver::pauses)
                .description("Pauses, manual or after throttling")
                .baseUnit("pauses")
                .tags(tags)
                .register(this.registry));
        list.add(counter("batcher.throttles", "Times the batcher was told the datastore throttles", "throttles",
                batcher, tags, BatcherStats::throttles));
        list.add(counter("batcher.operations.enqueued", "Operations enqueued (refused by a full buffer included, also "
                + "counted as dropped)", "operations", batcher, tags, BatcherStats::enqueued));
        list.add(counter("batcher.operations.processed", "Operations whose watcher returned normally", "operations",
                batcher, tags, BatcherStats::processed));
        for (DropReason reason : DropReason.values()) {
            list.add(counter("batcher.operations.dropped", "Operations dropped instead of processed, by reason",
                    "operations", batcher, tags.and("reason", reason.tagValue()), stats -> stats.dropped(reason)));
        }
        list.add(counter("batcher.operations.retried", "Operations handed to their watcher again after throttling",
                "operations", batcher, tags, BatcherStats::retried));
        list.add(gauge("batcher.buffer.depth", "Items waiting in the buffer, including batches waiting for a retry",
                batcher, tags, BatcherStats::operationsInBuffer, "items"));
        list.add(gauge("batcher.in.flight", "Batches being sent", batcher, tags, BatcherStats::inFlightBatches,
                "batches"));
        list.add(gauge("batcher.in.flight.items", "Items in the batches being sent", batcher, tags,
                BatcherStats::inFlightOperations, "items"));
        list.add(gauge("batcher.paused", "1 while sending is paused, 0 otherwise", batcher, tags,
                stats -> stats.paused() ? 1 : 0));
        list.add(Gauge.builder("batcher.buffer.limit", batcher, b -> b.config().bufferMaxItems())
                .description("Items the buffer holds at most (buffer.max-items)")
                .baseUnit("items")
                .tags(tags)
                .register(this.registry));
        DistributionSummary batchSize = DistributionSummary.builder("batcher.batch.size")
                .description("Items per batch sent successfully")
                .baseUnit("items")
                .tags(tags)
                .register(this.registry);
        list.add(batchSize);
        observer.batchSizes(batchSize::record);
    }

    @Override
    public void unbind(String name) {
        List<Meter> removed = this.meters.remove(name);
        if (removed != null) {
            removed.forEach(this.registry::remove);
        }
    }

    private Gauge gauge(String meterName, String description, Batcher batcher, Tags tags,
            ToDoubleFunction<BatcherStats> value) {
        return gauge(meterName, description, batcher, tags, value, null);
    }

    private Gauge gauge(String meterName, String description, Batcher batcher, Tags tags,
            ToDoubleFunction<BatcherStats> value, String baseUnit) {
        return Gauge.builder(meterName, batcher, b -> value.applyAsDouble(b.stats()))
                .description(description)
                .baseUnit(baseUnit)
                .tags(tags)
                .register(this.registry);
    }

    private FunctionCounter counter(String meterName, String description, String baseUnit, Batcher batcher,
            Tags tags, ToDoubleFunction<BatcherStats> value) {
        return FunctionCounter.builder(meterName, batcher, b -> value.applyAsDouble(b.stats()))
                .description(description)
                .baseUnit(baseUnit)
                .tags(tags)
                .register(this.registry);
    }
}
