package dev.batcher;

/**
 * Observes per-batch and per-wait events of an engine, for metrics. Per-item totals are not events: read them from
 * the engine's stats, which costs the hot path nothing.
 *
 * <p>Methods are called on the engine's callback thread, outside every lock, never on a producer, sender or timer
 * thread. A listener that throws is logged and ignored; one too slow to keep up loses events instead of slowing the
 * engine.
 */
public interface BatchListener {

    /** A listener that does nothing. */
    BatchListener NONE = new BatchListener() {
        @Override
        public boolean isNoOp() {
            return true;
        }
    };

    /** Whether this listener ignores every event, so that an engine need not deliver them. */
    default boolean isNoOp() {
        return false;
    }

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
