package dev.batcher.autoconfigure;

import org.springframework.boot.origin.Origin;

/**
 * The layout of the startup report of a refused option, shared by every kind of instance (Boot's own
 * {@code Property / Value / Origin / Reason} layout of bind failures).
 */
final class PropertyReport {

    /** Said after a value nobody set. */
    static final String DEFAULT = " (the default)";

    /** Said after a value set by a customizer or a build call. */
    static final String CODE = " (set in code)";

    private PropertyReport() {
    }

    /**
     * Describes a refused option.
     *
     * @param kind {@code dispatcher}, {@code batcher}, {@code processor} or {@code coordinator}
     * @param name the instance name
     * @param property the full property name
     * @param value the refused value, as configured
     * @param qualifier {@code ""}, {@link #DEFAULT} or {@link #CODE}
     * @param origin where the value came from, or {@code null}
     * @param reason the engine's reason
     * @return the report's description
     */
    static String describe(String kind, String name, String property, String value, String qualifier, Origin origin,
            String reason) {
        String n = System.lineSeparator();
        return "Invalid option of " + kind + " '" + name + "':" + n + n
                + "    Property: " + property + n
                + "    Value: \"" + value + "\"" + qualifier + n
                + ((origin != null) ? "    Origin: " + origin + n : "")
                + "    Reason: " + Formats.durations(reason);
    }

    /** The exception message: {@code property=value: reason. action}. */
    static String message(String property, String value, String qualifier, String reason, String action) {
        return property + "=" + value + qualifier + ": " + Formats.durations(reason) + ". " + action;
    }
}
