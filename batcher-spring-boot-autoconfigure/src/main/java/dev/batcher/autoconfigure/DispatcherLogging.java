package dev.batcher.autoconfigure;

import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherConfig;
import dev.batcher.dispatch.DispatcherListener;
import dev.batcher.dispatch.DispatcherStats;
import dev.batcher.DropReason;
import dev.batcher.SendOutcome;
import java.time.Duration;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * What the starter logs about dispatchers, under the logger {@code dev.batcher.dispatch.Dispatcher}: one INFO line
 * per dispatcher when it is created, with its effective options; one INFO line when it drained, with what it sent
 * and dropped; rate-limited WARN summaries of drops ({@link DropSummaryLogger}); and, at DEBUG, one line per send
 * attempt ({@link #listener(String)}).
 */
final class DispatcherLogging {

    static final Log logger = LogFactory.getLog(Dispatcher.class);

    private DispatcherLogging() {
    }

    /** Logs the effective options of a new dispatcher. */
    static void created(Dispatcher<?> dispatcher, String sink) {
        if (logger.isInfoEnabled()) {
            logger.info("Dispatcher '" + dispatcher.name() + "' created" + ((sink != null) ? " for " + sink : "")
                    + ": " + describe(dispatcher.config()));
        }
    }

    /** Logs what a dispatcher sent and dropped, once it closed. */
    static void drained(DispatcherStats stats) {
        if (logger.isInfoEnabled()) {
            StringJoiner byReason = new StringJoiner(", ", " (", ")").setEmptyValue("");
            for (DropReason reason : DropReason.values()) {
                if (stats.dropped(reason) > 0) {
                    byReason.add(reason.tagValue() + "=" + stats.dropped(reason));
                }
            }
            long left = stats.bufferedItems() + stats.inFlightItems();
            logger.info("Dispatcher '" + stats.name() + "' " + (stats.drained() ? "drained" : "closed") + ": "
                    + stats.submitted() + " submitted, " + stats.sent() + " sent in " + stats.sentBatches()
                    + " batches, " + stats.dropped() + " dropped" + byReason + ((left > 0) ? ", " + left + " left" : ""));
        }
    }

    /** The effective options, in property form. */
    static String describe(DispatcherConfig<?> config) {
        StringJoiner options = new StringJoiner(", ");
        options.add("max-batch-items=" + ((config.maxBatchItems() < 0) ? "unlimited" : config.maxBatchItems()));
        options.add("max-batch-bytes=" + bytes(config.maxBatchBytes()));
        options.add("max-batch-age=" + duration(config.maxBatchAge()));
        options.add("max-concurrent-sends=" + config.maxConcurrentSends());
        options.add("ordering=" + config.ordering().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        options.add("buffer.max-items=" + config.bufferMaxItems());
        options.add("buffer.max-bytes=" + bytes(config.bufferMaxBytes()));
        options.add("buffer.full-behavior=" + config.fullBehavior().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        options.add("buffer.block-timeout=" + duration(config.blockTimeout()));
        options.add("rate-limit.batches-per-second=" + ((config.batchesPerSecond() == 0) ? "unlimited"
                : config.batchesPerSecond() + " (burst " + config.burst() + ")"));
        if (config.minBatchesPerSecond() > 0) {
            options.add("rate-limit.min-batches-per-second=" + config.minBatchesPerSecond());
        }
        options.add("retry=" + retry(config));
        options.add("send-timeout=" + duration(config.sendTimeout()));
        options.add("drain-timeout=" + duration(config.drainTimeout()));
        return options.toString();
    }

    private static String retry(DispatcherConfig<?> config) {
        String policy = config.retryPolicy().getClass().getSimpleName();
        if (!policy.equals("AlwaysRetryPolicy") && !policy.equals("MaxAttemptsRetryPolicy")) {
            return policy + "/" + config.backOffPolicy().getClass().getSimpleName();
        }
        return ((config.maxAttempts() < 0) ? "until sent" : config.maxAttempts() + " attempts") + ", back-off "
                + duration(config.initialBackoff()) + " x" + config.multiplier() + " up to "
                + duration(config.maxBackoff());
    }

    private static String bytes(long bytes) {
        return Formats.bytes(bytes);
    }

    private static String duration(Duration duration) {
        return Formats.duration(duration);
    }

    /** A listener that logs each send attempt at DEBUG (the level can change at runtime). */
    static DispatcherListener listener(String name) {
        return new DispatcherListener() {
            @Override
            public void onSendCompleted(int items, long bytes, long durationNanos, SendOutcome outcome) {
                if (!logger.isDebugEnabled()) {
                    return;
                }
                logger.debug("Dispatcher '" + name + "' send of " + items + " items"
                        + ((bytes > 0) ? " (" + bytes + " bytes)" : "") + " took "
                        + TimeUnit.NANOSECONDS.toMicros(durationNanos) / 1000.0 + " ms: " + outcome.tagValue());
            }
        };
    }
}
