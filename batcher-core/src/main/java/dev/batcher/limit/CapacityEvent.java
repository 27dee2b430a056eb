package dev.batcher.limit;

/**
 * Something a {@link CapacityLimiter} did, with go-batcher's event names.
 *
 * @param name {@code capacity} (the granted capacity changed), {@code allocated} (a partition was acquired),
 *     {@code released} (a partition was given back), {@code failed} (an acquisition failed: all taken),
 *     {@code target} (the needed capacity changed), {@code error} (the backing store failed)
 * @param value the capacity, partition index or target the event is about
 * @param message a human-readable detail, or {@code null}
 * @param error the failure for {@code error}, else {@code null}
 */
public record CapacityEvent(String name, long value, String message, Throwable error) {

    /** Event name: the granted capacity changed. */
    public static final String CAPACITY = "capacity";

    /** Event name: a partition was acquired. */
    public static final String ALLOCATED = "allocated";

    /** Event name: a partition was given back. */
    public static final String RELEASED = "released";

    /** Event name: an acquisition found nothing free. */
    public static final String FAILED = "failed";

    /** Event name: the needed capacity changed. */
    public static final String TARGET = "target";

    /** Event name: the backing store failed. */
    public static final String ERROR = "error";
}
