package dev.batcher;

/**
 * A configuration option has a value the engine cannot work with. {@link #getOption()} is the option's name as a
 * property key relative to the instance (for example {@code buffer.max-items}), so that the Spring Boot starter
 * can report the full property name.
 */
public class InvalidOptionException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String option;

    private final transient Object value;

    private final String problem;

    private final boolean defaultValue;

    /**
     * Creates the exception.
     *
     * @param option the option's property-style name, such as {@code max-concurrent-sends}
     * @param value the rejected value
     * @param problem what is wrong and how to fix it
     */
    public InvalidOptionException(String option, Object value, String problem) {
        this(option, value, problem, false);
    }

    /**
     * Creates the exception.
     *
     * @param option the option's property-style name, such as {@code max-concurrent-sends}
     * @param value the rejected value
     * @param problem what is wrong and how to fix it
     * @param defaultValue whether the value is the option's default, which the user did not set
     */
    public InvalidOptionException(String option, Object value, String problem, boolean defaultValue) {
        super("Invalid option " + option + "=" + value + (defaultValue ? " (the default)" : "") + ": " + problem);
        this.option = option;
        this.value = value;
        this.problem = problem;
        this.defaultValue = defaultValue;
    }

    /** Whether the rejected value is the option's default, which the user did not set. */
    public boolean isDefaultValue() {
        return defaultValue;
    }

    /** The option's property-style name relative to the instance, for example {@code buffer.max-items}. */
    public String getOption() {
        return option;
    }

    /** The rejected value. */
    public Object getValue() {
        return value;
    }

    /** What is wrong with the value and how to fix it, without the option name. */
    public String getProblem() {
        return problem;
    }
}
