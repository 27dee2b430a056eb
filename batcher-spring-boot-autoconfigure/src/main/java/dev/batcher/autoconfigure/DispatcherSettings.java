package dev.batcher.autoconfigure;

import dev.batcher.dispatch.DispatcherConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;

/**
 * The options of one dispatcher as configured: {@code batcher.defaults.*} overlaid with
 * {@code batcher.dispatchers.<name>.*}, plus which keys the configuration set and where.
 *
 * <p>Only the keys the configuration set are passed to the engine's builder, so that what nobody set keeps the
 * engine's default (for example {@code max-concurrent-sends} 1 under {@code ordering: fifo}, 4 otherwise), and an
 * error can name the key, the value and the file that set it, or say that the value is the default.
 */
final class DispatcherSettings {

    static final String DEFAULTS_PREFIX = "batcher.defaults";

    static final String DISPATCHERS_PREFIX = "batcher.dispatchers";

    /** Options the engine takes in one setter, {@code retry(maxAttempts, initialBackoff, multiplier, maxBackoff)}. */
    private static final List<String> RETRY = List.of("retry.max-attempts", "retry.initial-backoff",
            "retry.multiplier", "retry.max-backoff");

    /** Options the engine takes in one setter, {@code rateLimit(batchesPerSecond, burst)}. */
    private static final List<String> RATE_LIMIT = List.of("rate-limit.batches-per-second", "rate-limit.burst");

    private final String name;

    private final DispatcherProperties properties;

    /** Keys relative to the instance ({@code buffer.max-items}) and the property that set each; the instance's wins. */
    private final Map<String, ConfigurationProperty> configured;

    private DispatcherSettings(String name, DispatcherProperties properties,
            Map<String, ConfigurationProperty> configured) {
        this.name = name;
        this.properties = properties;
        this.configured = configured;
    }

    /**
     * Binds {@code batcher.defaults}, then {@code batcher.dispatchers.<name>} over it.
     *
     * @param environment the environment holding the properties
     * @param name the dispatcher name
     * @return the settings
     */
    static DispatcherSettings bind(Environment environment, String name) {
        Binder binder = Binder.get(environment);
        DispatcherProperties properties = new DispatcherProperties();
        Map<String, ConfigurationProperty> configured = new HashMap<>();
        bindOnto(binder, ConfigurationPropertyName.of(DEFAULTS_PREFIX), properties, configured);
        bindOnto(binder, instancePrefix(name), properties, configured);
        return new DispatcherSettings(name, properties, configured);
    }

    private static ConfigurationPropertyName instancePrefix(String name) {
        return ConfigurationPropertyName.of(DISPATCHERS_PREFIX).append(ConfigurationPropertyName.adapt(name, '.'));
    }

    private static void bindOnto(Binder binder, ConfigurationPropertyName prefix, DispatcherProperties properties,
            Map<String, ConfigurationProperty> configured) {
        binder.bind(prefix, Bindable.ofInstance(properties), new AbstractBindHandler() {
            @Override
            public Object onSuccess(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
                    Object result) {
                ConfigurationProperty property = context.getConfigurationProperty();
                if (property != null && prefix.isAncestorOf(name)) {
                    configured.put(relative(prefix, name), property);
                }
                return super.onSuccess(name, target, context, result);
            }
        });
    }

    private static String relative(ConfigurationPropertyName prefix, ConfigurationPropertyName name) {
        StringBuilder key = new StringBuilder();
        for (int i = prefix.getNumberOfElements(); i < name.getNumberOfElements(); i++) {
            key.append(key.isEmpty() ? "" : ".").append(name.getElement(i, ConfigurationPropertyName.Form.DASHED));
        }
        return key.toString();
    }

    /** The dispatcher name. */
    String name() {
        return this.name;
    }

    /** The options, defaults overlaid with the instance's own. */
    DispatcherProperties properties() {
        return this.properties;
    }

    /**
     * The property that set an option, from the instance or else from {@code batcher.defaults}.
     *
     * @param option the key relative to the instance, such as {@code buffer.max-items}
     * @return the property, or {@code null} when the configuration does not set the option
     */
    ConfigurationProperty configured(String option) {
        return this.configured.get(option);
    }

    /** Whether the configuration sets an option, in the instance or in {@code batcher.defaults}. */
    boolean isConfigured(String option) {
        return this.configured.containsKey(option);
    }

    /**
     * Whether an option the configuration does not set is passed to the builder anyway, with its default value,
     * because it shares a setter with one that is set ({@code retry.*}, {@code rate-limit.batches-per-second} and
     * {@code rate-limit.burst}).
     *
     * @param option the key relative to the instance
     * @return {@code true} when the engine received the default value of this option from the properties
     */
    boolean isPassedAsDefault(String option) {
        if (isConfigured(option)) {
            return false;
        }
        if (option.startsWith("retry.")) {
            return RETRY.stream().anyMatch(this::isConfigured);
        }
        if (RATE_LIMIT.contains(option)) {
            return RATE_LIMIT.stream().anyMatch(this::isConfigured);
        }
        return false;
    }

    /**
     * Passes the options the configuration set to a builder; the others keep the engine's defaults.
     *
     * @param builder the builder to configure
     * @param <T> the item type
     */
    <T> void applyTo(DispatcherConfig.Builder<T> builder) {
        DispatcherProperties p = this.properties;
        DispatcherProperties.Buffer buffer = p.getBuffer();
        DispatcherProperties.RateLimit rateLimit = p.getRateLimit();
        DispatcherProperties.Retry retry = p.getRetry();
        if (isConfigured("max-batch-items")) {
            builder.maxBatchItems(p.getMaxBatchItems());
        }
        if (isConfigured("max-batch-bytes")) {
            builder.maxBatchBytes(bytesOrUnlimited(p.getMaxBatchBytes()));
        }
        if (isConfigured("max-batch-age")) {
            builder.maxBatchAge(p.getMaxBatchAge());
        }
        if (isConfigured("max-concurrent-sends")) {
            builder.maxConcurrentSends(p.getMaxConcurrentSends());
        }
        if (isConfigured("ordering")) {
            builder.ordering(p.getOrdering());
        }
        if (isConfigured("send-timeout")) {
            builder.sendTimeout(p.getSendTimeout());
        }
        if (isConfigured("buffer.max-items")) {
            builder.bufferMaxItems(buffer.getMaxItems());
        }
        if (isConfigured("buffer.max-bytes")) {
            builder.bufferMaxBytes(bytesOrUnlimited(buffer.getMaxBytes()));
        }
        if (isConfigured("buffer.full-behavior")) {
            builder.fullBehavior(buffer.getFullBehavior());
        }
        if (isConfigured("buffer.block-timeout")) {
            builder.blockTimeout(buffer.getBlockTimeout());
        }
        if (RATE_LIMIT.stream().anyMatch(this::isConfigured)) {
            builder.rateLimit(rateLimit.getBatchesPerSecond(), rateLimit.getBurst());
        }
        if (isConfigured("rate-limit.min-batches-per-second")) {
            builder.minBatchesPerSecond(rateLimit.getMinBatchesPerSecond());
        }
        if (RETRY.stream().anyMatch(this::isConfigured)) {
            builder.retry(retry.getMaxAttempts(), retry.getInitialBackoff(), retry.getMultiplier(),
                    retry.getMaxBackoff());
        }
    }

    private static long bytesOrUnlimited(DataSize size) {
        return (size != null) ? size.toBytes() : -1;
    }
}
