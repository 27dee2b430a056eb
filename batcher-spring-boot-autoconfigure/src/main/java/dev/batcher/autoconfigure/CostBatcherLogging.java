package dev.batcher.autoconfigure;

import dev.batcher.DropReason;
import dev.batcher.cost.Batcher;
import dev.batcher.cost.BatcherConfig;
import dev.batcher.cost.BatcherStats;
import java.util.Locale;
import java.util.StringJoiner;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * What the starter logs about cost batchers, under the logger {@code dev.batcher.cost.Batcher}: one INFO line per
 * batcher when it is created, with its effective options, and one when it drained, with what it processed and
 * dropped; drops go through {@link DropSummaryLogger} as rate-limited WARN summaries.
 */
final class CostBatcherLogging {

    static final Log logger = LogFactory.getLog(Batcher.class);

    private CostBatcherLogging() {
    }

    /** Logs the effective options of a new batcher. */
    static void created(Batcher batcher, String source) {
        if (logger.isInfoEnabled()) {
            logger.info("Batcher '" + batcher.name() + "' created" + ((source != null) ? " for " + source : "") + ": "
                    + describe(batcher.config()));
        }
    }

    /** Logs what a batcher processed and dropped, once it closed. */
    static void drained(BatcherStats stats) {
        if (logger.isInfoEnabled()) {
            StringJoiner byReason = new StringJoiner(", ", " (", ")").setEmptyValue("");
            for (DropReason reason : DropReason.values()) {
                if (stats.dropped(reason) > 0) {
                    byReason.add(reason.tagValue() + "=" + stats.dropped(reason));
                }
            }
            long left = stats.operationsInBuffer() + stats.inFlightOperations();
            logger.info("Batcher '" + stats.name() + "' " + (stats.drained() ? "drained" : "closed") + ": "
                    + stats.enqueued() + " enqueued, " + stats.processed() + " processed in "
                    + stats.processedBatches() + " batches, " + stats.dropped() + " dropped" + byReason
                    + ((left > 0) ? ", " + left + " left" : ""));
        }
    }

    /** The effective options, in property form. */
    static String describe(BatcherConfig config) {
        StringJoiner options = new StringJoiner(", ");
        options.add("capacity=" + ((config.capacityLimiter() != null)
                ? config.capacityLimiter().maxCapacity() + "/s (" + config.capacityLimiter().getClass().getSimpleName()
                        + ")"
                : "none (not paced)"));
        options.add("flush-interval=" + Formats.duration(config.flushInterval()));
        options.add("capacity-interval=" + Formats.duration(config.capacityInterval()));
        options.add("audit-interval=" + Formats.duration(config.auditInterval()));
        options.add("max-operation-time=" + Formats.duration(config.maxOperationTime()));
        options.add("pause-time=" + Formats.duration(config.pauseTime()));
        options.add("max-concurrent-batches=" + config.maxConcurrentBatches());
        options.add("buffer.max-items=" + config.bufferMaxItems());
        options.add("buffer.full-behavior=" + config.fullBehavior().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        options.add("buffer.block-timeout=" + Formats.duration(config.buffer().blockTimeout()));
        options.add("throttle.decrease-factor=" + config.throttleDecrease());
        options.add("throttle.recovery-step=" + config.throttleRecoveryStep());
        options.add("drain-timeout=" + Formats.duration(config.drainTimeout()));
        return options.toString();
    }
}
