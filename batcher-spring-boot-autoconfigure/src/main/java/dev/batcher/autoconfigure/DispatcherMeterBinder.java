package dev.batcher.autoconfigure;

import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherListener;
import dev.batcher.dispatch.DispatcherStats;
import dev.batcher.DropReason;
import dev.batcher.SendOutcome;
import dev.batcher.durable.DurableLogStats;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters of dispatchers, tagged {@code name} and {@code kind=dispatcher}.
 *
 * <p>Item totals and gauges read {@link Dispatcher#stats()} when the registry polls them, so the hot path pays
 * nothing; batch sizes, send durations and producer waits are recorded by a {@link DispatcherListener}. Every meter
 * of a dispatcher is removed when it closes.
 */
final class DispatcherMeterBinder implements DispatcherInstrumentation {

    static final String KIND = "dispatcher";

    private static final DurableLogStats NO_DURABLE = new DurableLogStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1);

    private final MeterRegistry registry;

    private final Map<String, List<Meter>> meters = new ConcurrentHashMap<>();

    DispatcherMeterBinder(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public DispatcherListener listener(String name) {
        Tags tags = tags(name);
        DistributionSummary batchSize = DistributionSummary.builder("batcher.batch.size")
                .description("Items per batch sent successfully")
                .baseUnit("items")
                .tags(tags)
                .register(this.registry);
        SendOutcome[] outcomes = SendOutcome.values();
        Timer[] sendDurations = new Timer[outcomes.length];
        for (SendOutcome outcome : outcomes) {
            sendDurations[outcome.ordinal()] = Timer.builder("batcher.send.duration")
                    .description("Duration of send attempts, by outcome")
                    .tags(tags)
                    .tag("outcome", outcome.tagValue())
                    .register(this.registry);
        }
        Timer blocked = Timer.builder("batcher.producer.blocked")
                .description("Time producers waited for room in a full buffer")
                .tags(tags)
                .register(this.registry);
        List<Meter> list = meters(name);
        list.add(batchSize);
        list.addAll(List.of(sendDurations));
        list.add(blocked);
        return new MeterListener(batchSize, sendDurations, blocked);
    }

    @Override
    public void bind(Dispatcher<?> dispatcher) {
        String name = dispatcher.name();
        Tags tags = tags(name);
        List<Meter> list = meters(name);
        list.add(counter("batcher.items.submitted", "Items submitted", dispatcher, tags, DispatcherStats::submitted));
        list.add(counter("batcher.items.sent", "Items in batches sent successfully", dispatcher, tags,
                DispatcherStats::sent));
        for (DropReason reason : DropReason.values()) {
            list.add(counter("batcher.items.dropped", "Items dropped instead of sent, by reason", dispatcher,
                    tags.and("reason", reason.tagValue()), stats -> stats.dropped(reason)));
        }
        list.add(counter("batcher.items.retried", "Items in batches scheduled for another attempt", dispatcher, tags,
                DispatcherStats::retried));
        list.add(gauge("batcher.buffer.depth", "Items waiting in the buffer, including batches waiting for a retry",
                "items", dispatcher, tags, DispatcherStats::bufferedItems));
        list.add(gauge("batcher.in.flight", "Batches being sent", "batches", dispatcher, tags,
                DispatcherStats::inFlightBatches));
        list.add(gauge("batcher.in.flight.items", "Items in the batches being sent", "items", dispatcher, tags,
                DispatcherStats::inFlightItems));
        list.add(gauge("batcher.paused", "1 while sending is paused, 0 otherwise", null, dispatcher, tags,
                stats -> stats.paused() ? 1 : 0));
        list.add(Gauge.builder("batcher.buffer.limit", dispatcher, d -> d.config().bufferMaxItems())
                .description("Items the buffer holds at most (buffer.max-items)")
                .baseUnit("items")
                .tags(tags)
                .register(this.registry));
        list.add(gauge("batcher.sends.abandoned",
                "Send attempts abandoned after send-timeout whose thread is still inside the sink", null, dispatcher,
                tags, DispatcherStats::abandonedSends));
        if (dispatcher.stats().durable() != null) {
            bindDurable(dispatcher, tags, list);
        }
    }

    /** The meters of a durable buffer: what its files hold, what was replayed, fsync time, truncated tails. */
    private void bindDurable(Dispatcher<?> dispatcher, Tags tags, List<Meter> list) {
        list.add(gauge("batcher.buffer.durable.bytes", "Bytes of the durable buffer's files on disk", "bytes",
                dispatcher, tags, stats -> durable(stats).bytesOnDisk()));
        list.add(gauge("batcher.buffer.durable.records", "Items on disk not acknowledged yet (a restart would replay "
                + "them)", "items", dispatcher, tags, stats -> durable(stats).records()));
        list.add(counter("batcher.buffer.durable.replayed", "Items a previous run left in the durable buffer, "
                + "replayed at start (counted in batcher.items.submitted too)", dispatcher, tags,
                DispatcherStats::replayedItems));
        list.add(FunctionTimer.builder("batcher.buffer.durable.fsync", dispatcher,
                        d -> durable(d.stats()).fsyncs(), d -> durable(d.stats()).fsyncNanosTotal(),
                        TimeUnit.NANOSECONDS)
                .description("Fsyncs of the durable buffer (one may cover many items) and the time they took")
                .tags(tags)
                .register(this.registry));
        list.add(FunctionCounter.builder("batcher.buffer.durable.truncated", dispatcher,
                        d -> durable(d.stats()).truncatedTails())
                .description("Torn or corrupt tails of the durable buffer's files cut off at start")
                .baseUnit("tails")
                .tags(tags)
                .register(this.registry));
    }

    /** The durable stats, or all zeros once the dispatcher no longer reports them. */
    private static DurableLogStats durable(DispatcherStats stats) {
        DurableLogStats durable = stats.durable();
        return (durable != null) ? durable : NO_DURABLE;
    }

    private Gauge gauge(String meterName, String description, String baseUnit, Dispatcher<?> dispatcher, Tags tags,
            ToDoubleFunction<DispatcherStats> value) {
        return Gauge.builder(meterName, dispatcher, stat(value))
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

    private FunctionCounter counter(String meterName, String description, Dispatcher<?> dispatcher, Tags tags,
            ToDoubleFunction<DispatcherStats> value) {
        return FunctionCounter.builder(meterName, dispatcher, stat(value))
                .description(description)
                .baseUnit("items")
                .tags(tags)
                .register(this.registry);
    }

    private static ToDoubleFunction<Dispatcher<?>> stat(ToDoubleFunction<DispatcherStats> value) {
        return dispatcher -> value.applyAsDouble(dispatcher.stats());
    }

    private List<Meter> meters(String name) {
        return this.meters.computeIfAbsent(name, key -> new CopyOnWriteArrayList<>());
    }

    private static Tags tags(String name) {
        return Tags.of("name", name, "kind", KIND);
    }

    /** Records per-batch events; no allocation per call. */
    private static final class MeterListener implements DispatcherListener {

        private final DistributionSummary batchSize;

        private final Timer[] sendDurations;

        private final Timer blocked;

        MeterListener(DistributionSummary batchSize, Timer[] sendDurations, Timer blocked) {
            this.batchSize = batchSize;
            this.sendDurations = sendDurations;
            this.blocked = blocked;
        }

        @Override
        public void onSendCompleted(int items, long bytes, long durationNanos, SendOutcome outcome) {
            this.sendDurations[outcome.ordinal()].record(durationNanos, TimeUnit.NANOSECONDS);
            if (outcome == SendOutcome.SUCCESS && items > 0) {
                this.batchSize.record(items);
            }
        }

        @Override
        public void onProducerBlocked(long nanos) {
            this.blocked.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
