package dev.batcher;

import java.util.Locale;

/** How one send attempt ended. */
public enum SendOutcome {

    /** The sender returned normally. */
    SUCCESS,

    /** The sender threw. */
    FAILURE,

    /** The sender ran past {@code sendTimeout}. */
    TIMEOUT;

    private final String tag = name().toLowerCase(Locale.ROOT);

    /** The lower-case form used in metric tags and JSON. */
    public String tagValue() {
        return tag;
    }
}
