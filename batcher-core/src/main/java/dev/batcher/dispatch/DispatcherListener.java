package dev.batcher.dispatch;

/**
 * Observes per-batch and per-wait events, for metrics. Per-item totals are not events: read them from
 * {@link Dispatcher#stats()}, which costs the hot path nothing.
 *
 * <p>Methods are called outside the dispatcher's locks. A listener that throws is logged and ignored.
 */
public interface DispatcherListener {

    /** A listener that does nothing. */
    DispatcherListener NONE = new DispatcherListener() {
    };

    /**
     * A send attempt finished.
     *
     * @param items the number of items in the batch
     * @param bytes the batch size in bytes (0 without an item sizer)
     * @param durationNanos how long the attempt took
     * @param outcome how it ended
     */
    default void onSendCompleted(int items, long bytes, long durationNanos, SendOutcome outcome) {
    }

    /**
     * A producer waited for room in a full buffer ({@link FullBehavior#BLOCK}).
     *
     * @param nanos how long it waited, whether or not room was found
     */
    default void onProducerBlocked(long nanos) {
    }
}
