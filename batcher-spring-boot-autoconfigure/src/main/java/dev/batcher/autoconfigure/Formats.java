package dev.batcher.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.convert.DurationStyle;

/** Durations and sizes written as in {@code application.yml} ({@code 60s}, {@code 64KB}), for logs and errors. */
final class Formats {

    private static final List<ChronoUnit> UNITS = List.of(ChronoUnit.DAYS, ChronoUnit.HOURS, ChronoUnit.MINUTES,
            ChronoUnit.SECONDS, ChronoUnit.MILLIS, ChronoUnit.MICROS);

    private static final Pattern ISO_DURATION = Pattern.compile("-?PT[0-9.HMS]+");

    private Formats() {
    }

    /** A duration in the largest unit that holds it whole: {@code 60s}, {@code 100ms}, {@code 2m}. */
    static String duration(Duration duration) {
        for (ChronoUnit unit : UNITS) {
            if (duration.toNanos() % unit.getDuration().toNanos() == 0) {
                return DurationStyle.SIMPLE.print(duration, unit);
            }
        }
        return DurationStyle.SIMPLE.print(duration, ChronoUnit.NANOS);
    }

    /** The text with every ISO-8601 duration ({@code PT2M}) written as {@link #duration(Duration)} does. */
    static String durations(String text) {
        Matcher matcher = ISO_DURATION.matcher(text);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String replacement;
            try {
                replacement = duration(Duration.parse(matcher.group()));
            }
            catch (RuntimeException ex) {
                replacement = matcher.group();
            }
            matcher.appendReplacement(result, Matcher.quoteReplacement(replacement));
        }
        return matcher.appendTail(result).toString();
    }

    /** A size in bytes in the largest unit that holds it whole ({@code 64KB}); {@code unlimited} when negative. */
    static String bytes(long bytes) {
        if (bytes < 0) {
            return "unlimited";
        }
        long megabyte = 1024 * 1024;
        if (bytes > 0 && bytes % megabyte == 0) {
            return bytes / megabyte + "MB";
        }
        return (bytes > 0 && bytes % 1024 == 0) ? bytes / 1024 + "KB" : bytes + "B";
    }

    /** {@code text} with its first letter in upper case: {@code processor} gives {@code Processor}. */
    static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
