package dev.batcher.autoconfigure;

import dev.batcher.DropHandler;
import dev.batcher.DropReason;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Logs drops of a dispatcher or batcher as rate-limited WARN summaries (luci's {@code DropFnSummarized}), then calls the
 * application's drop handler, if any. The first drop is logged at once; the drops of the next {@link #INTERVAL} are added up and
 * logged, by reason, with the first drop after it, or when the instance drains. So a storm of drops costs one line
 * per interval per instance.
 *
 * @param <T> the item type
 */
final class DropSummaryLogger<T> implements DropHandler<T> {

    /** At most one line per dispatcher per interval. */
    static final Duration INTERVAL = Duration.ofSeconds(10);

    private final String name;

    private final String kind;

    private final String unit;

    private final DropHandler<T> delegate;

    private final Consumer<String> warn;

    private final LongSupplier nanoTime;

    private final Map<DropReason, Long> pending = new EnumMap<>(DropReason.class);

    private Throwable lastCause;

    private long lastLoggedAt;

    private boolean loggedOnce;

    /**
     * Creates the handler.
     *
     * @param name the dispatcher name
     * @param delegate the application's drop handler, or {@code null}
     * @param warn where summaries go (the WARN level of the dispatcher logger)
     * @param nanoTime the clock
     */
    DropSummaryLogger(String name, DropHandler<T> delegate, Consumer<String> warn, LongSupplier nanoTime) {
        this("Dispatcher", "item", name, delegate, warn, nanoTime);
    }

    /**
     * Creates the handler for another kind of instance.
     *
     * @param kind the instance kind, for the summary ({@code Dispatcher}, {@code Batcher})
     * @param unit what it drops, singular ({@code item}, {@code operation})
     * @param name the instance name
     * @param delegate the application's drop handler, or {@code null}
     * @param warn where summaries go
     * @param nanoTime the clock
     */
    DropSummaryLogger(String kind, String unit, String name, DropHandler<T> delegate, Consumer<String> warn,
            LongSupplier nanoTime) {
        this.kind = kind;
        this.unit = unit;
        this.name = name;
        this.delegate = delegate;
        this.warn = warn;
        this.nanoTime = nanoTime;
    }

    @Override
    public void onDrop(List<T> items, DropReason reason, Throwable cause) {
        String summary;
        synchronized (this) {
            this.pending.merge(reason, (long) items.size(), Long::sum);
            if (cause != null) {
                this.lastCause = cause;
            }
            long now = this.nanoTime.getAsLong();
            summary = (!this.loggedOnce || now - this.lastLoggedAt >= INTERVAL.toNanos()) ? takeSummary(now) : null;
        }
        if (summary != null) {
            this.warn.accept(summary);
        }
        if (this.delegate != null) {
            this.delegate.onDrop(items, reason, cause);
        }
    }

    /** Logs the drops not logged yet, if any: called when the dispatcher drains. */
    void flush() {
        String summary;
        synchronized (this) {
            summary = this.pending.isEmpty() ? null : takeSummary(this.nanoTime.getAsLong());
        }
        if (summary != null) {
            this.warn.accept(summary);
        }
    }

    private String takeSummary(long now) {
        long total = this.pending.values().stream().mapToLong(Long::longValue).sum();
        String byReason = this.pending.entrySet().stream()
                .map(entry -> entry.getKey().tagValue() + "=" + entry.getValue())
                .collect(Collectors.joining(", "));
        String cause = (this.lastCause != null) ? "; last failure: " + this.lastCause : "";
        String since = this.loggedOnce ? " since the last summary" : "";
        String summary = this.kind + " '" + this.name + "' dropped " + total + " " + this.unit
                + ((total == 1) ? "" : "s") + since
                + " (" + byReason + ")" + cause + "; further drops are summed up for " + INTERVAL.toSeconds() + "s";
        this.pending.clear();
        this.lastCause = null;
        this.lastLoggedAt = now;
        this.loggedOnce = true;
        return summary;
    }
}
