package dev.batcher.autoconfigure;

import dev.batcher.InvalidOptionException;
import dev.batcher.coordinate.CoordinatorConfig;
import java.time.Duration;
import java.util.function.Supplier;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.env.Environment;

/**
 * The options of one coordinator as configured: {@code batcher.coordinator-defaults.*} overlaid with
 * {@code batcher.coordinators.<name>.*}, plus which keys the configuration set ({@link ConfiguredOptions}).
 */
final class CoordinatorSettings implements InstanceSettings {

    static final String DEFAULTS_PREFIX = "batcher.coordinator-defaults";

    static final String COORDINATORS_PREFIX = "batcher.coordinators";

    private final String name;

    private final CoordinatorProperties properties;

    private final ConfiguredOptions configured;

    private CoordinatorSettings(String name, CoordinatorProperties properties, ConfiguredOptions configured) {
        this.name = name;
        this.properties = properties;
        this.configured = configured;
    }

    /**
     * Binds {@code batcher.coordinator-defaults}, then {@code batcher.coordinators.<name>} over it.
     *
     * @param environment the environment holding the properties
     * @param name the coordinator name
     * @return the settings
     */
    static CoordinatorSettings bind(Environment environment, String name) {
        CoordinatorProperties properties = new CoordinatorProperties();
        ConfiguredOptions configured = ConfiguredOptions.bind(environment, properties,
                ConfigurationPropertyName.of(DEFAULTS_PREFIX),
                ConfiguredOptions.instancePrefix(COORDINATORS_PREFIX, name));
        return new CoordinatorSettings(name, properties, configured);
    }

    @Override
    public String kind() {
        return "coordinator";
    }

    @Override
    public String name() {
        return this.name;
    }

    @Override
    public String instancesPrefix() {
        return COORDINATORS_PREFIX;
    }

    @Override
    public String defaultsPrefix() {
        return DEFAULTS_PREFIX;
    }

    @Override
    public String builderName() {
        return "Coordinators";
    }

    @Override
    public ConfigurationProperty configured(String option) {
        return this.configured.configured(option);
    }

    /**
     * Passes the options the configuration set to a builder; the drain timeout is {@code drain-timeout} if set, else
     * {@code shutdownTimeout}.
     *
     * @param builder the builder to configure
     * @param shutdownTimeout {@code batcher.shutdown.timeout}
     */
    void applyTo(CoordinatorConfig.Builder builder, Duration shutdownTimeout) {
        if (this.configured.isConfigured("coaches")) {
            builder.coaches(this.properties.getCoaches());
        }
        builder.drainTimeout(this.configured.isConfigured("drain-timeout") ? this.properties.getDrainTimeout()
                : shutdownTimeout);
    }

    /** Runs {@code action}, turning the engine's refusal into a report naming the property. */
    <R> R validated(Supplier<R> action) {
        try {
            return action.get();
        }
        catch (InvalidOptionException ex) {
            throw InvalidBatcherPropertyException.of(this, ex);
        }
    }
}
