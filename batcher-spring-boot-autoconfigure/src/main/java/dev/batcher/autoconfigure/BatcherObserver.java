package dev.batcher.autoconfigure;

import dev.batcher.cost.BatcherEvent;
import dev.batcher.cost.BatcherListener;
import dev.batcher.cost.ThrottledException;
import dev.batcher.cost.Watcher;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * What the starter keeps about one cost batcher beyond its stats, for meters, the endpoint and health: it listens to
 * the batcher's events (on the batcher's event thread) and wraps its watchers.
 *
 * <ul>
 * <li>the last {@value #RECENT_EVENTS} events, except {@code request} (one per capacity interval, counted instead) and
 * {@code batch} (one per batch), in a small ring;</li>
 * <li>counts of capacity requests and pauses; partitions of shared capacity held ({@code allocated} minus
 * {@code released});</li>
 * <li>the last capacity limiter error, until the limiter grants capacity again;</li>
 * <li>watcher batches failed in a row (a {@link ThrottledException} is throttling, not a failure), and the size of
 * each batch processed successfully.</li>
 * </ul>
 */
final class BatcherObserver implements BatcherListener {

    /** Events kept per batcher. */
    static final int RECENT_EVENTS = 20;

    private static final IntConsumer NO_SIZES = size -> { };

    private final Clock clock;

    private final Deque<RecentEvent> recent = new ArrayDeque<>(RECENT_EVENTS);

    private final AtomicLong requests = new AtomicLong();

    private final AtomicLong pauses = new AtomicLong();

    private final AtomicInteger partitions = new AtomicInteger();

    private final AtomicLong consecutiveFailures = new AtomicLong();

    private volatile String limiterError;

    private volatile IntConsumer batchSizes = NO_SIZES;

    BatcherObserver(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void onEvent(BatcherEvent event) {
        switch (event.name()) {
            case BatcherEvent.REQUEST -> {
                this.requests.incrementAndGet();
                return;
            }
            case BatcherEvent.BATCH -> {
                return;
            }
            case BatcherEvent.PAUSE -> this.pauses.incrementAndGet();
            case BatcherEvent.ALLOCATED -> this.partitions.incrementAndGet();
            case BatcherEvent.RELEASED -> this.partitions.updateAndGet(held -> Math.max(0, held - 1));
            case BatcherEvent.ERROR -> this.limiterError = (event.message() != null) ? event.message()
                    : String.valueOf(event.error());
            case BatcherEvent.CAPACITY -> this.limiterError = null;
            default -> {
            }
        }
        RecentEvent recentEvent = new RecentEvent(event.name(), event.value(), event.message(),
                (event.error() != null) ? event.error().toString() : null, this.clock.instant());
        synchronized (this.recent) {
            if (this.recent.size() == RECENT_EVENTS) {
                this.recent.removeFirst();
            }
            this.recent.addLast(recentEvent);
        }
    }

    /**
     * Wraps what a watcher does, so that its batches are observed.
     *
     * @param processor what the watcher does
     * @param <P> the payload type
     * @return the observing processor
     */
    <P> Watcher.Processor<P> observe(Watcher.Processor<P> processor) {
        return operations -> {
            try {
                processor.process(operations);
                this.consecutiveFailures.set(0);
                this.batchSizes.accept(operations.size());
            }
            catch (Exception | Error ex) {
                if (!isThrottling(ex)) {
                    this.consecutiveFailures.incrementAndGet();
                }
                throw ex;
            }
        };
    }

    private static boolean isThrottling(Throwable error) {
        for (Throwable t = error; t != null; t = (t.getCause() == t) ? null : t.getCause()) {
            if (t instanceof ThrottledException) {
                return true;
            }
        }
        return false;
    }

    /** Where each batch size goes (the batch size summary), or {@code null} for nowhere. */
    void batchSizes(IntConsumer sizes) {
        this.batchSizes = (sizes != null) ? sizes : NO_SIZES;
    }

    /** The last events, oldest first. */
    List<RecentEvent> recentEvents() {
        synchronized (this.recent) {
            return List.copyOf(new ArrayList<>(this.recent));
        }
    }

    /** Capacity requests made: {@code request} events. */
    long capacityRequests() {
        return this.requests.get();
    }

    /** Pauses: {@code pause} events (each throttling pauses too). */
    long pauses() {
        return this.pauses.get();
    }

    /** Partitions of shared capacity held now; 0 without shared capacity. */
    int partitionsHeld() {
        return this.partitions.get();
    }

    /** Watcher batches failed in a row (not counting throttling). */
    long consecutiveFailures() {
        return this.consecutiveFailures.get();
    }

    /** The last capacity limiter error, or {@code null} when the limiter granted capacity since. */
    String limiterError() {
        return this.limiterError;
    }

    /**
     * One recent event.
     *
     * @param name the event name ({@code pause}, {@code audit-fail}, {@code capacity}...)
     * @param value the number it is about
     * @param message its detail, or {@code null}
     * @param error the failure of an {@code error} event, or {@code null}
     * @param at when the starter saw it
     */
    record RecentEvent(String name, long value, String message, String error, Instant at) {
    }
}
