package dev.batcher.autoconfigure;

import dev.batcher.BatchingEngine;
import dev.batcher.DropReason;
import dev.batcher.autoconfigure.BatchersEndpoint.BatcherDescriptor;
import dev.batcher.autoconfigure.BatchersEndpoint.LastBatchDescriptor;
import dev.batcher.autoconfigure.BatchersEndpoint.TotalsDescriptor;
import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherStats;
import dev.batcher.durable.DurableBuffer;
import dev.batcher.durable.DurableLogOptions;
import dev.batcher.durable.DurableLogStats;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;

/**
 * A dispatcher as the endpoint and health show it. It is DOWN while its sink keeps failing
 * ({@code consecutiveFailures >= batcher.health.max-consecutive-failures}) or its buffer stays full
 * ({@code bufferFullFor >= batcher.health.max-full-duration}); paused or closed, it is UP with that state.
 */
final class DispatcherView implements EngineView {

    private final Dispatcher<?> dispatcher;

    DispatcherView(Dispatcher<?> dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    public BatchingEngine engine() {
        return this.dispatcher;
    }

    @Override
    public String kind() {
        return DispatcherMeterBinder.KIND;
    }

    @Override
    public BatcherDescriptor describe() {
        DispatcherStats stats = this.dispatcher.stats();
        return new BatcherDescriptor(this.dispatcher.name(), kind(), stats.bufferedItems(), stats.bufferedBytes(),
                stats.inFlightBatches(), stats.inFlightItems(), stats.paused(), stats.closed(),
                new TotalsDescriptor(stats.submitted(), stats.sent(), stats.dropped(), droppedByReason(stats),
                        stats.retried(), stats.sentBatches(), stats.failedAttempts(), stats.consecutiveFailures()),
                new LastBatchDescriptor(stats.lastBatchItems(), stats.lastSentAt()), null, null, null, null, null,
                null, details(stats));
    }

    /** A durable buffer's state under {@code details.durable}; {@code null} for a buffer in memory only. */
    private Map<String, Object> details(DispatcherStats stats) {
        DurableLogStats durable = stats.durable();
        DurableBuffer<?> buffer = this.dispatcher.config().durableBuffer();
        if (durable == null || buffer == null) {
            return null;
        }
        DurableLogOptions options = buffer.options();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("directory", options.directory().toString());
        details.put("fsync", options.fsync().name().toLowerCase(Locale.ROOT));
        details.put("bytesOnDisk", durable.bytesOnDisk());
        details.put("records", durable.records());
        details.put("segments", durable.segments());
        details.put("replayedItems", stats.replayedItems());
        details.put("fsyncs", durable.fsyncs());
        details.put("fsyncMeanMillis", (durable.fsyncs() > 0)
                ? durable.fsyncNanosTotal() / (double) durable.fsyncs() / 1_000_000.0 : 0.0);
        details.put("fsyncMaxMillis", durable.fsyncNanosMax() / 1_000_000.0);
        details.put("truncatedTails", durable.truncatedTails());
        return Map.of("durable", Collections.unmodifiableMap(details));
    }

    private static Map<String, Long> droppedByReason(DispatcherStats stats) {
        Map<String, Long> dropped = new LinkedHashMap<>();
        for (DropReason reason : DropReason.values()) {
            long count = stats.dropped(reason);
            if (count > 0) {
                dropped.put(reason.tagValue(), count);
            }
        }
        return Map.copyOf(dropped);
    }

    @Override
    public Health health(BatcherProperties.Health thresholds) {
        DispatcherStats stats = this.dispatcher.stats();
        String problem = problem(stats, thresholds);
        Health.Builder builder = (problem != null) ? Health.down() : Health.up();
        builder.withDetail("state", EngineView.state(stats.closed(), stats.paused()));
        if (problem != null) {
            builder.withDetail("problem", problem);
        }
        return builder.withDetail("kind", kind())
                .withDetail("paused", stats.paused())
                .withDetail("consecutiveFailures", stats.consecutiveFailures())
                .withDetail("bufferFullFor", stats.bufferFullFor().toString())
                .withDetail("bufferedItems", stats.bufferedItems())
                .withDetail("inFlightItems", stats.inFlightItems())
                .withDetail("abandonedSends", stats.abandonedSends())
                .build();
    }

    private static String problem(DispatcherStats stats, BatcherProperties.Health thresholds) {
        if (stats.closed()) {
            return null;
        }
        int maxFailures = thresholds.getMaxConsecutiveFailures();
        if (maxFailures > 0 && stats.consecutiveFailures() >= maxFailures) {
            return "the sink failed " + stats.consecutiveFailures() + " times in a row (threshold "
                    + "batcher.health.max-consecutive-failures=" + maxFailures + ")";
        }
        Duration maxFull = thresholds.getMaxFullDuration();
        if (!stats.paused() && maxFull != null && !maxFull.isZero() && stats.bufferFullFor().compareTo(maxFull) >= 0) {
            return "the buffer has been full for " + stats.bufferFullFor() + " (threshold "
                    + "batcher.health.max-full-duration=" + maxFull + ")";
        }
        return null;
    }
}
