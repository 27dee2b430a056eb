package dev.batcher.autoconfigure;

import dev.batcher.InvalidOptionException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.origin.Origin;

/**
 * A cost batcher, resource processor or coordinator option ({@code batcher.batchers.<name>.*},
 * {@code batcher.processors.<name>.*}, {@code batcher.coordinators.<name>.*}) or a {@code @BatchWatcher} attribute has
 * a value the engine refuses. Names the property that set it, its value and where it came from, or says that the value is the
 * default or was set in code, and says how to fix it.
 */
public class InvalidBatcherPropertyException extends BatcherStartupException {

    private static final long serialVersionUID = 1L;

    private final String batcherName;

    private final String property;

    private final String value;

    private InvalidBatcherPropertyException(String message, String description, String action, Throwable cause,
            String batcherName, String property, String value) {
        super(message, description, action, cause);
        this.batcherName = batcherName;
        this.property = property;
        this.value = value;
    }

    /** The instance (batcher, processor, coordinator) whose option is invalid. */
    public String getBatcherName() {
        return this.batcherName;
    }

    /** The full property name, such as {@code batcher.batchers.cosmos.flush-interval}. */
    public String getProperty() {
        return this.property;
    }

    /** The refused value, as configured. */
    public String getValue() {
        return this.value;
    }

    /**
     * Describes a refused option of a cost batcher, resource processor or coordinator.
     *
     * @param settings the instance's configured options
     * @param ex the engine's refusal
     * @return the exception to throw
     */
    static InvalidBatcherPropertyException of(InstanceSettings settings, InvalidOptionException ex) {
        String name = settings.name();
        String option = ex.getOption();
        ConfigurationProperty configured = settings.configured(option);
        String property;
        String value;
        String qualifier;
        Origin origin = null;
        String action;
        if (configured != null) {
            property = configured.getName().toString();
            value = String.valueOf(configured.getValue());
            qualifier = "";
            origin = configured.getOrigin();
            action = "Update " + property + " in your configuration, or remove it to use the default.";
        }
        else if ("drain-timeout".equals(option)) {
            property = "batcher.shutdown.timeout";
            value = Formats.durations(String.valueOf(ex.getValue()));
            qualifier = "";
            action = "Update " + property + " in your configuration.";
        }
        else {
            property = settings.instancesPrefix() + "." + name + "." + option;
            value = Formats.durations(String.valueOf(ex.getValue()));
            boolean defaultValue = settings.isPassedAsDefault(option) || ex.isDefaultValue();
            qualifier = defaultValue ? PropertyReport.DEFAULT : PropertyReport.CODE;
            action = defaultValue ? "Set " + property + " (or " + settings.defaultsPrefix() + "." + option
                    + ") in your configuration to a value that fits the other options."
                    : "Fix the value that the " + settings.builderName() + " build call sets for " + settings.kind()
                            + " '" + name + "'.";
        }
        String description = PropertyReport.describe(settings.kind(), name, property, value, qualifier, origin,
                ex.getProblem());
        return new InvalidBatcherPropertyException(PropertyReport.message(property, value, qualifier, ex.getProblem(),
                action), description, action, ex, name, property, value);
    }

    /**
     * Describes a refused {@code @BatchWatcher} attribute.
     *
     * @param batcherName the batcher of the watcher
     * @param method the watcher method, described
     * @param beanName the bean declaring it
     * @param attribute the attribute, such as {@code maxBatchSize}
     * @param value its value
     * @param reason why it is refused
     * @param cause the engine's refusal, or {@code null}
     * @return the exception to throw
     */
    static InvalidBatcherPropertyException ofAttribute(String batcherName, String method, String beanName,
            String attribute, String value, String reason, Throwable cause) {
        String property = "@BatchWatcher(" + attribute + ")";
        String n = System.lineSeparator();
        String description = "Invalid @BatchWatcher attribute of a watcher of batcher '" + batcherName + "':" + n + n
                + "    Method: " + method + " on bean '" + beanName + "'" + n
                + "    Attribute: " + attribute + n
                + "    Value: \"" + value + "\"" + n
                + "    Reason: " + reason;
        String action = "Fix " + attribute + " of @BatchWatcher on '" + method + "'.";
        return new InvalidBatcherPropertyException("Invalid @BatchWatcher attribute " + attribute + "=\"" + value
                + "\" on method '" + method + "' of bean '" + beanName + "': " + reason + ". " + action, description,
                action, cause, batcherName, property, value);
    }
}
