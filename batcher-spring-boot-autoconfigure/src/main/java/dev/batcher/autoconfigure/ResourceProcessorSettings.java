package dev.batcher.autoconfigure;

import dev.batcher.InvalidOptionException;
import dev.batcher.resource.ResourceProcessorConfig;
import java.time.Duration;
import java.util.function.Supplier;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.env.Environment;

/**
 * The options of one resource processor as configured: {@code batcher.processor-defaults.*} overlaid with
 * {@code batcher.processors.<name>.*}, plus which keys the configuration set ({@link ConfiguredOptions}): only those
 * are passed to the engine's builder, the others keep its defaults.
 */
final class ResourceProcessorSettings implements InstanceSettings {

    static final String DEFAULTS_PREFIX = "batcher.processor-defaults";

    static final String PROCESSORS_PREFIX = "batcher.processors";

    private final String name;

    private final ResourceProcessorProperties properties;

    private final ConfiguredOptions configured;

    private ResourceProcessorSettings(String name, ResourceProcessorProperties properties,
            ConfiguredOptions configured) {
        this.name = name;
        this.properties = properties;
        this.configured = configured;
    }

    /**
     * Binds {@code batcher.processor-defaults}, then {@code batcher.processors.<name>} over it.
     *
     * @param environment the environment holding the properties
     * @param name the processor name
     * @return the settings
     */
    static ResourceProcessorSettings bind(Environment environment, String name) {
        ResourceProcessorProperties properties = new ResourceProcessorProperties();
        ConfiguredOptions configured = ConfiguredOptions.bind(environment, properties,
                ConfigurationPropertyName.of(DEFAULTS_PREFIX),
                ConfiguredOptions.instancePrefix(PROCESSORS_PREFIX, name));
        return new ResourceProcessorSettings(name, properties, configured);
    }

    @Override
    public String kind() {
        return "processor";
    }

    @Override
    public String name() {
        return this.name;
    }

    @Override
    public String instancesPrefix() {
        return PROCESSORS_PREFIX;
    }

    @Override
    public String defaultsPrefix() {
        return DEFAULTS_PREFIX;
    }

    @Override
    public String builderName() {
        return "ResourceProcessors";
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
    void applyTo(ResourceProcessorConfig.Builder builder, Duration shutdownTimeout) {
        ResourceProcessorProperties p = this.properties;
        if (isConfigured("min-duration")) {
            builder.minDuration(p.getMinDuration());
        }
        if (isConfigured("max-duration")) {
            builder.maxDuration(p.getMaxDuration());
        }
        if (isConfigured("max-concurrent-batches")) {
            builder.maxConcurrentBatches(p.getMaxConcurrentBatches());
        }
        if (isConfigured("buffer.max-items")) {
            builder.bufferMaxItems(p.getBuffer().getMaxItems());
        }
        if (isConfigured("buffer.full-behavior")) {
            builder.fullBehavior(p.getBuffer().getFullBehavior());
        }
        if (isConfigured("buffer.block-timeout")) {
            builder.blockTimeout(p.getBuffer().getBlockTimeout());
        }
        builder.drainTimeout(isConfigured("drain-timeout") ? p.getDrainTimeout() : shutdownTimeout);
    }

    private boolean isConfigured(String option) {
        return this.configured.isConfigured(option);
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
