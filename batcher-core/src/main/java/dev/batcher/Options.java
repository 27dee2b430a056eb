package dev.batcher;

import java.time.Duration;
import java.util.Objects;

/** Shared checks of the option value types; messages name the option as a property key and say how to fix it. */
final class Options {

    private Options() {
    }

    static void check(boolean ok, String option, Object value, String problem) {
        if (!ok) {
            throw new InvalidOptionException(option, Objects.toString(value), problem);
        }
    }

    static void positive(Duration value, String option, String example) {
        check(value != null && !value.isNegative() && !value.isZero(), option, value,
                "must be positive, such as " + example);
    }

    static void notNegative(Duration value, String option) {
        check(value != null && !value.isNegative(), option, value, "must be zero or positive");
    }

    static void limit(long value, String option) {
        check(value == -1 || value >= 1, option, value, "must be at least 1, or -1 for no limit");
    }
}
