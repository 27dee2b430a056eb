package dev.batcher.autoconfigure;

import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.env.Environment;

/**
 * Binds the options of one named instance onto a properties object, one prefix after the other (shared defaults, then
 * the instance's own), and remembers which keys the configuration set and where: shared by the dispatchers'
 * ({@link DispatcherSettings}) and the batchers' ({@link CostBatcherSettings}) settings.
 *
 * <p>Only the keys the configuration set are passed to an engine's builder, so that what nobody set keeps the
 * engine's default, and an error can name the key, the value and the file that set it, or say that the value is the
 * default.
 */
final class ConfiguredOptions {

    /** Keys relative to the instance ({@code buffer.max-items}) and the property that set each; the last prefix wins. */
    private final Map<String, ConfigurationProperty> configured;

    private ConfiguredOptions(Map<String, ConfigurationProperty> configured) {
        this.configured = configured;
    }

    /**
     * Binds each prefix in turn onto {@code target}.
     *
     * @param environment the environment holding the properties
     * @param target the properties object, holding the documented defaults
     * @param prefixes the prefixes, such as {@code batcher.defaults} then {@code batcher.dispatchers.<name>}
     * @return which keys were set
     */
    static ConfiguredOptions bind(Environment environment, Object target, ConfigurationPropertyName... prefixes) {
        Binder binder = Binder.get(environment);
        Map<String, ConfigurationProperty> configured = new HashMap<>();
        for (ConfigurationPropertyName prefix : prefixes) {
            binder.bind(prefix, Bindable.ofInstance(target), new AbstractBindHandler() {
                @Override
                public Object onSuccess(ConfigurationPropertyName name, Bindable<?> bindable, BindContext context,
                        Object result) {
                    ConfigurationProperty property = context.getConfigurationProperty();
                    if (property != null && prefix.isAncestorOf(name)) {
                        configured.put(relative(prefix, name), property);
                    }
                    return super.onSuccess(name, bindable, context, result);
                }
            });
        }
        return new ConfiguredOptions(configured);
    }

    /** {@code <instancesPrefix>.<name>}, with a name that may hold dots or capitals. */
    static ConfigurationPropertyName instancePrefix(String instancesPrefix, String name) {
        return ConfigurationPropertyName.of(instancesPrefix).append(ConfigurationPropertyName.adapt(name, '.'));
    }

    private static String relative(ConfigurationPropertyName prefix, ConfigurationPropertyName name) {
        StringBuilder key = new StringBuilder();
        for (int i = prefix.getNumberOfElements(); i < name.getNumberOfElements(); i++) {
            key.append(key.isEmpty() ? "" : ".").append(name.getElement(i, ConfigurationPropertyName.Form.DASHED));
        }
        return key.toString();
    }

    /**
     * The property that set an option.
     *
     * @param option the key relative to the instance, such as {@code buffer.max-items}
     * @return the property, or {@code null} when the configuration does not set the option
     */
    ConfigurationProperty configured(String option) {
        return this.configured.get(option);
    }

    /** Whether the configuration sets an option. */
    boolean isConfigured(String option) {
        return this.configured.containsKey(option);
    }
}
