package dev.batcher.autoconfigure;

import dev.batcher.InvalidOptionException;
import java.beans.Introspector;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.origin.Origin;

/**
 * A dispatcher option has a value the engine refuses. Names the property that set it (the instance's key or the
 * {@code batcher.defaults} key it inherited), its value and where it came from, or says that the value is the
 * default or was set in code; the action says how to fix it, with a {@code DispatcherCustomizer} example when an item
 * sizer or key extractor is missing.
 */
public class InvalidDispatcherPropertyException extends BatcherStartupException {

    private static final long serialVersionUID = 1L;

    private final String dispatcherName;

    private final String property;

    private final String value;

    private InvalidDispatcherPropertyException(String message, String description, String action,
            InvalidOptionException cause, String dispatcherName, String property, String value) {
        super(message, description, action, cause);
        this.dispatcherName = dispatcherName;
        this.property = property;
        this.value = value;
    }

    /** The dispatcher whose option is invalid. */
    public String getDispatcherName() {
        return this.dispatcherName;
    }

    /** The full property name, such as {@code batcher.dispatchers.orders.max-batch-items}. */
    public String getProperty() {
        return this.property;
    }

    /** The refused value, as configured. */
    public String getValue() {
        return this.value;
    }

    /** Where a refused value came from. */
    enum Source {

        /** A property of the configuration. */
        CONFIGURATION,

        /** Nobody set it: the engine's default. */
        DEFAULT,

        /** A {@code DispatcherCustomizer} bean or the {@code BatcherDispatchers} build call. */
        CODE
    }

    /**
     * Describes a refused option.
     *
     * @param settings the dispatcher's configured options
     * @param itemType the simple name of the item type, for the example of a customizer
     * @param ex the engine's refusal
     * @param defaultValue whether the engine says the refused value is its default, nobody having set it
     * @return the exception to throw
     */
    static InvalidDispatcherPropertyException of(DispatcherSettings settings, String itemType,
            InvalidOptionException ex, boolean defaultValue) {
        String name = settings.name();
        String option = ex.getOption();
        ConfigurationProperty configured = settings.configured(option);
        String property;
        String value;
        Source source;
        Origin origin = null;
        if ("drain-timeout".equals(option)) {
            property = "batcher.shutdown.timeout";
            value = readable(String.valueOf(ex.getValue()));
            source = Source.CONFIGURATION;
        }
        else if (configured != null) {
            property = configured.getName().toString();
            value = String.valueOf(configured.getValue());
            source = Source.CONFIGURATION;
            origin = configured.getOrigin();
        }
        else {
            property = DispatcherSettings.DISPATCHERS_PREFIX + "." + name + "." + option;
            value = readable(String.valueOf(ex.getValue()));
            source = defaultValue ? Source.DEFAULT : Source.CODE;
        }
        String qualifier = switch (source) {
            case CONFIGURATION -> "";
            case DEFAULT -> PropertyReport.DEFAULT;
            case CODE -> PropertyReport.CODE;
        };
        String description = PropertyReport.describe("dispatcher", name, property, value, qualifier, origin,
                ex.getProblem());
        String action = action(name, itemType, option, ex, property, source);
        String message = PropertyReport.message(property, value, qualifier, ex.getProblem(), action);
        return new InvalidDispatcherPropertyException(message, description, action, ex, name, property, value);
    }

    private static String action(String name, String itemType, String option, InvalidOptionException ex,
            String property, Source source) {
        String problem = ex.getProblem();
        if ((option.equals("max-batch-bytes") || option.equals("buffer.max-bytes")) && problem.contains("item sizer")) {
            return "Give dispatcher '" + name + "' an item sizer with a DispatcherCustomizer bean, for example "
                    + customizer(name, itemType, "ItemSizer", "itemSizer(" + variable(itemType) + " -> "
                            + variable(itemType) + ".toString().length())")
                    + ", or remove " + property + ".";
        }
        if (option.equals("ordering") && problem.contains("key extractor")) {
            return "Give dispatcher '" + name + "' a key extractor with a DispatcherCustomizer bean, for example "
                    + customizer(name, itemType, "Key", "keyExtractor(" + variable(itemType) + " -> "
                            + variable(itemType) + ".key())")
                    + " (where key() stands for what orders your items), or use ordering none or fifo.";
        }
        return switch (source) {
            case CONFIGURATION -> "Update " + property + " in your configuration, or remove it to use the default.";
            case DEFAULT -> "Set " + property + " (or " + DispatcherSettings.DEFAULTS_PREFIX + "." + option
                    + ") in your configuration to a value that fits the other options.";
            case CODE -> "Fix the value that a DispatcherCustomizer bean (or the BatcherDispatchers build call) sets "
                    + "for dispatcher '" + name + "'.";
        };
    }

    /** A duration the engine printed in ISO-8601 ({@code PT1M}), in the form of the properties ({@code 1m}). */
    private static String readable(String value) {
        return Formats.durations(value);
    }

    private static String customizer(String name, String itemType, String suffix, String call) {
        String bean = Introspector.decapitalize(camel(name)) + suffix;
        return "'@Bean DispatcherCustomizer<" + itemType + "> " + bean + "() { return DispatcherCustomizer"
                + ".forDispatcher(\"" + name + "\", builder -> builder." + call + "); }'";
    }

    private static String variable(String itemType) {
        String variable = Introspector.decapitalize(itemType.replaceAll("[^A-Za-z0-9]", ""));
        return variable.isEmpty() || variable.equals("object") ? "item" : variable;
    }

    private static String camel(String name) {
        StringBuilder camel = new StringBuilder();
        boolean upper = false;
        for (char c : name.toCharArray()) {
            if (!Character.isLetterOrDigit(c)) {
                upper = true;
            }
            else {
                camel.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return camel.toString();
    }
}
