package dev.batcher.cost;

import dev.batcher.limit.CapacityEvent;
import java.util.List;

/**
 * Something a {@link Batcher} or its capacity limiter did, with go-batcher's event names.
 *
 * @param name what happened: one of the constants of this class
 * @param value the number the event is about (see each constant), else 0
 * @param message a human-readable detail, or {@code null}
 * @param error the failure of an {@code error} event, else {@code null}
 * @param operations the batch of a {@code batch} event, else empty
 */
public record BatcherEvent(String name, long value, String message, Throwable error, List<Operation<?>> operations) {

    /** The batcher stopped; emitted once, after the drain. */
    public static final String SHUTDOWN = "shutdown";

    /** Processing paused; value: the pause time in milliseconds. */
    public static final String PAUSE = "pause";

    /** Processing resumed after a pause. */
    public static final String RESUME = "resume";

    /** The audit found nothing outstanding and the needed capacity at zero. */
    public static final String AUDIT_PASS = "audit-pass";

    /** The audit found nothing outstanding but a needed capacity above zero, and reset it; value: what it was. */
    public static final String AUDIT_FAIL = "audit-fail";

    /** The audit did not check: operations are outstanding or were dispatched within the max operation time. */
    public static final String AUDIT_SKIP = "audit-skip";

    /** The batcher told its capacity limiter what it needs; value: the needed capacity. */
    public static final String REQUEST = "request";

    /** A manual flush began. */
    public static final String FLUSH_START = "flush-start";

    /** A manual flush cut every open batch; value: operations waiting in the buffer at that time. */
    public static final String FLUSH_DONE = "flush-done";

    /** A batch was handed to its watcher (only with {@code emit-batch}); value: its size. */
    public static final String BATCH = "batch";

    /** The batcher was told the datastore throttles and lowered its pace; value: the new pace per second. */
    public static final String THROTTLE = "throttle";

    /** Limiter: the granted capacity changed; value: the capacity. */
    public static final String CAPACITY = CapacityEvent.CAPACITY;

    /** Limiter: a partition of shared capacity was acquired; value: its index. */
    public static final String ALLOCATED = CapacityEvent.ALLOCATED;

    /** Limiter: a partition was given back; value: its index. */
    public static final String RELEASED = CapacityEvent.RELEASED;

    /** Limiter: an acquisition found nothing free. */
    public static final String FAILED = CapacityEvent.FAILED;

    /** Limiter: the target it works towards changed; value: the target. */
    public static final String TARGET = CapacityEvent.TARGET;

    /** Limiter: its backing store failed. */
    public static final String ERROR = CapacityEvent.ERROR;

    /** Normalises {@code operations} to an immutable list. */
    public BatcherEvent {
        operations = operations == null ? List.of() : List.copyOf(operations);
    }

    static BatcherEvent of(String name, long value, String message) {
        return new BatcherEvent(name, value, message, null, List.of());
    }

    static BatcherEvent from(CapacityEvent event) {
        return new BatcherEvent(event.name(), event.value(), event.message(), event.error(), List.of());
    }
}
