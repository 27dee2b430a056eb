package dev.batcher;

import java.util.Locale;

/** Why items were dropped instead of sent. Every dropped item is reported with exactly one reason. */
public enum DropReason {

    /** The buffer was full: the item was rejected ({@code reject}) or its producer waited past the block timeout. */
    BUFFER_FULL,

    /** The buffer was full with {@code drop-oldest}: the oldest waiting batch made room for new items. */
    OLDEST_DROPPED,

    /** The retry policy gave up after the last allowed attempt. */
    RETRIES_EXHAUSTED,

    /** The error handler decided the failure cannot be fixed by retrying. */
    NOT_RETRYABLE,

    /** The producer was interrupted while it waited for room; it keeps its interrupt flag. */
    INTERRUPTED,

    /** {@code shutdownNow()} dropped what was left. */
    CANCELLED,

    /** {@code close(timeout)} ran out of time before everything was sent. */
    SHUTDOWN;

    private final String tag = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** The lower-case, dash-separated form used in metric tags and JSON, for example {@code retries-exhausted}. */
    public String tagValue() {
        return tag;
    }
}
