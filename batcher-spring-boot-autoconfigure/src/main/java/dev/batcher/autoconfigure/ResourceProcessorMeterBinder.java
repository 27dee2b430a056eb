package dev.batcher.autoconfigure;

import dev.batcher.resource.BatchMetrics;
import dev.batcher.resource.ResourceDeadlineException;
import dev.batcher.resource.ResourceProcessor;
import dev.batcher.resource.ResourceProcessorStats;
import dev.batcher.resource.ResourceStoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
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
 * Micrometer meters of resource processors, tagged {@code name} and {@code kind=processor}:
 * <ul>
 *   <li>{@code batcher.processor.batch} (timer, tag {@code outcome} {@code success} | {@code failure}): a batch from
 *       its first operation until it ended;</li>
 *   <li>{@code batcher.processor.batch.operations} (summary, operations): operations per batch;</li>
 *   <li>{@code batcher.processor.load} and {@code batcher.processor.save} (timers): the store's load and save, when
 *       called;</li>
 *   <li>{@code batcher.processor.errors} (counter, tag {@code phase} {@code load} | {@code save} | {@code deadline} |
 *       {@code operation}): batches that failed in their load or save or ran past their deadline, and operations
 *       that threw (their batch went on);</li>
 *   <li>{@code batcher.processor.operations.submitted}, {@code .succeeded}, {@code .failed} (counters): operations
 *       run, those that returned a value in a saved batch, and those that failed (their own exception, their batch
 *       failed, refused by a full buffer, or dropped at a stop);</li>
 *   <li>{@code batcher.buffer.depth} and {@code batcher.in.flight} (gauges, as for dispatchers): operations waiting
 *       and batches being processed.</li>
 * </ul>
 * The batch meters are recorded from the processor's batch metrics, on its metrics thread; totals and gauges read
 * {@link ResourceProcessor#stats()} when the registry polls them. Every meter of a processor is removed when it
 * closes.
 */
final class ResourceProcessorMeterBinder
        implements EngineInstrumentation<ResourceProcessor<?, ?>, ProcessorObserver> {

    static final String KIND = "processor";

    private final MeterRegistry registry;

    private final Map<String, List<Meter>> meters = new ConcurrentHashMap<>();

    ResourceProcessorMeterBinder(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void bind(ResourceProcessor<?, ?> processor, ProcessorObserver observer) {
        Tags tags = Tags.of("name", processor.name(), "kind", KIND);
        List<Meter> list = this.meters.computeIfAbsent(processor.name(), key -> new CopyOnWriteArrayList<>());
        Timer succeeded = batchTimer(tags.and("outcome", "success"));
        Timer failed = batchTimer(tags.and("outcome", "failure"));
        DistributionSummary operations = DistributionSummary.builder("batcher.processor.batch.operations")
                .description("Operations per batch, each run on one loaded resource")
                .baseUnit("operations")
                .tags(tags)
                .register(this.registry);
        Timer load = Timer.builder("batcher.processor.load")
                .description("Time the store took to load a batch's resource")
                .tags(tags)
                .register(this.registry);
        Timer save = Timer.builder("batcher.processor.save")
                .description("Time the store took to save a batch's resource")
                .tags(tags)
                .register(this.registry);
        Counter loadErrors = errors(tags, "load");
        Counter saveErrors = errors(tags, "save");
        Counter deadlineErrors = errors(tags, "deadline");
        list.addAll(List.of(succeeded, failed, operations, load, save, loadErrors, saveErrors, deadlineErrors));
        list.add(FunctionCounter.builder("batcher.processor.errors", processor,
                        p -> p.stats().operationErrors())
                .description("Failed batches by phase (load, save, deadline), and operations that threw (phase "
                        + "operation; their batch went on)")
                .baseUnit("errors")
                .tags(tags.and("phase", "operation"))
                .register(this.registry));
        list.add(counter("batcher.processor.operations.submitted", "Operations run (refused ones included)",
                processor, tags, ResourceProcessorStats::submitted));
        list.add(counter("batcher.processor.operations.succeeded", "Operations that returned a value in a saved batch",
                processor, tags, s -> Math.max(0, s.completed() - s.operationErrors() - s.cancelled())));
        list.add(counter("batcher.processor.operations.failed", "Operations that failed: their own exception, their "
                + "batch failed, refused by a full buffer, or dropped at a stop", processor, tags,
                s -> s.failed() + s.operationErrors()));
        list.add(Gauge.builder("batcher.buffer.depth", processor, p -> p.stats().buffered())
                .description("Items waiting in the buffer, including batches waiting for a retry")
                .baseUnit("items")
                .tags(tags)
                .register(this.registry));
        list.add(Gauge.builder("batcher.in.flight", processor, p -> p.stats().inFlightBatches())
                .description("Batches being sent")
                .baseUnit("batches")
                .tags(tags)
                .register(this.registry));
        observer.meters(metrics -> record(metrics, succeeded, failed, operations, load, save, loadErrors, saveErrors,
                deadlineErrors));
    }

    private static void record(BatchMetrics metrics, Timer succeeded, Timer failed, DistributionSummary operations,
            Timer load, Timer save, Counter loadErrors, Counter saveErrors, Counter deadlineErrors) {
        (metrics.succeeded() ? succeeded : failed).record(metrics.totalDuration());
        operations.record(metrics.operationCount());
        if (!metrics.loadDuration().isZero()) {
            load.record(metrics.loadDuration());
        }
        if (!metrics.saveDuration().isZero()) {
            save.record(metrics.saveDuration());
        }
        Throwable error = metrics.error();
        if (error instanceof ResourceDeadlineException) {
            deadlineErrors.increment();
        }
        else if (error instanceof ResourceStoreException store) {
            (store.getPhase() == ResourceStoreException.Phase.LOAD ? loadErrors : saveErrors).increment();
        }
    }

    private Timer batchTimer(Tags tags) {
        return Timer.builder("batcher.processor.batch")
                .description("Time a batch took from its first operation until it was saved (or failed)")
                .tags(tags)
                .register(this.registry);
    }

    private Counter errors(Tags tags, String phase) {
        return Counter.builder("batcher.processor.errors")
                .description("Failed batches by phase (load, save, deadline), and operations that threw (phase "
                        + "operation; their batch went on)")
                .baseUnit("errors")
                .tags(tags.and("phase", phase))
                .register(this.registry);
    }

    private FunctionCounter counter(String meterName, String description, ResourceProcessor<?, ?> processor,
            Tags tags, ToDoubleFunction<ResourceProcessorStats> value) {
        return FunctionCounter.builder(meterName, processor, p -> value.applyAsDouble(p.stats()))
                .description(description)
                .baseUnit("operations")
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
