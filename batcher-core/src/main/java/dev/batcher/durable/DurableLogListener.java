package dev.batcher.durable;

/**
 * What a {@link DurableLog} reports as it happens, for an engine to turn into events and meters. Called on the
 * thread that did the work (the opening thread, an appender, or the flusher): keep it short and never block; an
 * exception it throws is logged and ignored.
 */
public interface DurableLogListener {

    /** A listener that ignores everything. */
    DurableLogListener NONE = new DurableLogListener() {
    };

    /**
     * {@link DurableLog#open} cut off a torn or corrupt tail (also logged as a warning and counted).
     *
     * @param tail the file, offset and reason
     */
    default void onTruncated(TruncatedTail tail) {
    }

    /**
     * One group fsync finished: every position up to {@code durablePosition} is on the storage device.
     *
     * @param nanos how long forcing the files took
     * @param durablePosition the highest durable position
     */
    default void onFsync(long nanos, long durablePosition) {
    }
}
