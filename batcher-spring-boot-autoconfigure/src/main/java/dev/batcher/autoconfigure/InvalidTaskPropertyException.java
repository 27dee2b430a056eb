package dev.batcher.autoconfigure;

import dev.batcher.InvalidOptionException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.origin.Origin;

/**
 * A task queue option ({@code batcher.tasks.*}) has a value the engine or the Redis broker refuses. Names the
 * property, its value and where it came from (or that it is the default), and says how to fix it, in the layout of
 * the dispatchers' and batchers' reports ({@link PropertyReport}).
 */
public class InvalidTaskPropertyException extends BatcherStartupException {

    private static final long serialVersionUID = 1L;

    private final String property;

    private final String value;

    private InvalidTaskPropertyException(String message, String description, String action, Throwable cause,
            String property, String value) {
        super(message, description, action, cause);
        this.property = property;
        this.value = value;
    }

    /** The full property name, such as {@code batcher.tasks.concurrency}. */
    public String getProperty() {
        return this.property;
    }

    /** The refused value, as configured. */
    public String getValue() {
        return this.value;
    }

    /**
     * Describes a refused task queue option.
     *
     * @param configured which {@code batcher.tasks.*} keys the configuration set, and where
     * @param ex the refusal; its option is relative to {@code batcher.tasks}
     * @return the exception to throw
     */
    static InvalidTaskPropertyException of(ConfiguredOptions configured, InvalidOptionException ex) {
        String option = ex.getOption();
        ConfigurationProperty property = configured.configured(option);
        String name;
        String value;
        String qualifier;
        Origin origin = null;
        String action;
        if (property != null) {
            name = property.getName().toString();
            value = String.valueOf(property.getValue());
            qualifier = "";
            origin = property.getOrigin();
            action = "Update " + name + " in your configuration, or remove it to use the default.";
        }
        else {
            name = TaskQueueFactory.PREFIX + "." + option;
            value = Formats.durations(String.valueOf(ex.getValue()));
            qualifier = PropertyReport.DEFAULT;
            action = "Set " + name + " in your configuration to a value that fits the other options.";
        }
        String description = PropertyReport.describe("task queue", TaskQueueFactory.QUEUE_NAME, name, value,
                qualifier, origin, ex.getProblem());
        return new InvalidTaskPropertyException(PropertyReport.message(name, value, qualifier, ex.getProblem(), action),
                description, action, ex, name, value);
    }
}
