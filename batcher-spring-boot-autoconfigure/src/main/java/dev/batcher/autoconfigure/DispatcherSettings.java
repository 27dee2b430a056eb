package dev.batcher.autoconfigure;

import dev.batcher.dispatch.DispatcherConfig;
import dev.batcher.durable.DurableLogOptions;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;

/**
 * The options of one dispatcher as configured: {@code batcher.defaults.*} overlaid with
 * {@code batcher.dispatchers.<name>.*}, plus which keys the configuration set and where.
 *
 * <p>Only the keys the configuration set are passed to the engine's builder ({@link ConfiguredOptions}), so that what
 * nobody set keeps the engine's default (for example {@code max-concurrent-sends} 1 under {@code ordering: fifo}, 4
 * otherwise).
 */
final class DispatcherSettings {

    static final String DEFAULTS_PREFIX = "batcher.defaults";

    static final String DISPATCHERS_PREFIX = "batcher.dispatchers";

    /** Options the engine takes in one setter, {@code retry(maxAttempts, initialBackoff, multiplier, maxBackoff)}. */
    private static final List<String> RETRY = List.of("retry.max-attempts", "retry.initial-backoff",
            "retry.multiplier", "retry.max-backoff");

    /** Options the engine takes in one setter, {@code rateLimit(batchesPerSecond, burst)}. */
    private static final List<String> RATE_LIMIT = List.of("rate-limit.batches-per-second", "rate-limit.burst");

    /** The option that turns the durable buffer on. */
    static final String DURABLE_DIRECTORY = "buffer.durable.directory";

    private final String name;

    private final DispatcherProperties properties;

    /** Which keys the configuration set, in the instance or in {@code batcher.defaults}; the instance's wins. */
    private final ConfiguredOptions configured;

    private DispatcherSettings(String name, DispatcherProperties properties, ConfiguredOptions configured) {
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
        DispatcherProperties properties = new DispatcherProperties();
        ConfiguredOptions configured = ConfiguredOptions.bind(environment, properties,
                ConfigurationPropertyName.of(DEFAULTS_PREFIX), ConfiguredOptions.instancePrefix(DISPATCHERS_PREFIX,
                        name));
        return new DispatcherSettings(name, properties, configured);
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
        return this.configured.configured(option);
    }

    /** Whether the configuration sets an option, in the instance or in {@code batcher.defaults}. */
    boolean isConfigured(String option) {
        return this.configured.isConfigured(option);
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

    /**
     * The durable buffer's options ({@code buffer.durable.*}), or {@code null} when no {@code directory} is set. A
     * directory set under {@code batcher.defaults} is a parent: this dispatcher uses its sub-directory named after it,
     * so that dispatchers sharing the defaults never share a log.
     *
     * @return the options, or {@code null} for a buffer in memory only
     * @throws dev.batcher.InvalidOptionException naming the {@code buffer.durable.*} option the log refuses
     */
    DurableLogOptions durableOptions() {
        DispatcherProperties.Durable durable = this.properties.getBuffer().getDurable();
        ConfigurationProperty directorySetting = configured(DURABLE_DIRECTORY);
        if (durable.getDirectory() == null || directorySetting == null) {
            return null;
        }
        Path directory = durable.getDirectory();
        if (ConfigurationPropertyName.of(DEFAULTS_PREFIX).isAncestorOf(directorySetting.getName())) {
            directory = directory.resolve(this.name);
        }
        return DurableLogOptions.of(directory)
                .withFsync(durable.getFsync())
                .withFsyncInterval(durable.getFsyncInterval())
                .withSegmentBytes(bytesOrUnlimited(durable.getSegmentBytes()))
                .withMaxBytes(bytesOrUnlimited(durable.getMaxBytes()))
                .withStaging(durable.getStagingDirectory());
    }

    private static long bytesOrUnlimited(DataSize size) {
        return (size != null) ? size.toBytes() : -1;
    }
}
