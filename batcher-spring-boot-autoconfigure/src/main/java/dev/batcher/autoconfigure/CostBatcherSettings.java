package dev.batcher.autoconfigure;

import dev.batcher.InvalidOptionException;
import dev.batcher.cost.BatcherConfig;
import dev.batcher.limit.ProvisionedCapacity;
import java.util.List;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.env.Environment;

/**
 * The options of one cost batcher as configured: {@code batcher.batcher-defaults.*} overlaid with
 * {@code batcher.batchers.<name>.*}, plus which keys the configuration set and where ({@link ConfiguredOptions}): only those are passed to the engine's builder, the others keep its
 * defaults.
 */
final class CostBatcherSettings implements InstanceSettings {

    static final String DEFAULTS_PREFIX = "batcher.batcher-defaults";

    static final String BATCHERS_PREFIX = "batcher.batchers";

    /** Options the engine takes in one setter, {@code throttle(decreaseFactor, recoveryStep)}. */
    private static final List<String> THROTTLE = List.of("throttle.decrease-factor", "throttle.recovery-step");

    private final String name;

    private final CostBatcherProperties properties;

    private final ConfiguredOptions configured;

    private CostBatcherSettings(String name, CostBatcherProperties properties, ConfiguredOptions configured) {
        this.name = name;
        this.properties = properties;
        this.configured = configured;
    }

    /**
     * Binds {@code batcher.batcher-defaults}, then {@code batcher.batchers.<name>} over it.
     *
     * @param environment the environment holding the properties
     * @param name the batcher name
     * @return the settings
     */
    static CostBatcherSettings bind(Environment environment, String name) {
        CostBatcherProperties properties = new CostBatcherProperties();
        ConfiguredOptions configured = ConfiguredOptions.bind(environment, properties,
                ConfigurationPropertyName.of(DEFAULTS_PREFIX), ConfiguredOptions.instancePrefix(BATCHERS_PREFIX, name));
        return new CostBatcherSettings(name, properties, configured);
    }

    @Override
    public String kind() {
        return "batcher";
    }

    @Override
    public String name() {
        return this.name;
    }

    @Override
    public String instancesPrefix() {
        return BATCHERS_PREFIX;
    }

    @Override
    public String defaultsPrefix() {
        return DEFAULTS_PREFIX;
    }

    @Override
    public String builderName() {
        return "CostBatchers";
    }

    /** The options. */
    CostBatcherProperties properties() {
        return this.properties;
    }

    @Override
    public ConfigurationProperty configured(String option) {
        return this.configured.configured(option);
    }

    @Override
    public boolean isPassedAsDefault(String option) {
        return !this.configured.isConfigured(option) && THROTTLE.contains(option)
                && THROTTLE.stream().anyMatch(this.configured::isConfigured);
    }

    /** Whether {@code shared.capacity} is set: the batcher's capacity is shared on Redis. */
    boolean isShared() {
        return this.properties.getShared().getCapacity() != null;
    }

    /**
     * Passes the options the configuration set to a builder.
     *
     * @param builder the builder to configure
     * @param sharedCapacity makes the limiter of a shared capacity, or {@code null} when no Redis support is present
     * @throws InvalidOptionException for a capacity below 1, or a provisioned and a shared capacity together
     * @throws BatcherStartupException for a shared capacity without Redis support
     */
    void applyTo(BatcherConfig.Builder builder, SharedCapacityFactory sharedCapacity) {
        CostBatcherProperties p = this.properties;
        if (isShared()) {
            if (p.getCapacity() != null) {
                throw new InvalidOptionException("capacity", p.getCapacity(), "cannot be set with shared.capacity: "
                        + "use capacity for a provisioned capacity of this instance, or shared.capacity (with "
                        + "shared.reserved-capacity for what each instance always has), not both");
            }
            if (sharedCapacity == null) {
                throw new BatcherStartupException("Batcher '" + this.name + "' has a shared capacity ("
                        + BATCHERS_PREFIX + "." + this.name + ".shared.capacity=" + p.getShared().getCapacity()
                        + "), which needs Redis, but the batcher-redis module or a RedisConnectionFactory bean is "
                        + "missing.", "Add the dependencies dev.batcher:batcher-redis and "
                        + "org.springframework.boot:spring-boot-starter-data-redis (and spring.data.redis.* "
                        + "properties), or use capacity for a provisioned capacity instead.");
            }
            builder.capacityLimiter(sharedCapacity.create(this.name, p.getShared()));
        }
        if (isConfigured("capacity") && p.getCapacity() != null) {
            if (p.getCapacity() < 1) {
                throw new InvalidOptionException("capacity", p.getCapacity(), "must be at least 1 cost unit per "
                        + "second, or unset for no capacity limiter (batches not paced)");
            }
            builder.capacityLimiter(new ProvisionedCapacity(p.getCapacity()));
        }
        if (isConfigured("flush-interval")) {
            builder.flushInterval(p.getFlushInterval());
        }
        if (isConfigured("capacity-interval")) {
            builder.capacityInterval(p.getCapacityInterval());
        }
        if (isConfigured("audit-interval")) {
            builder.auditInterval(p.getAuditInterval());
        }
        if (isConfigured("max-operation-time")) {
            builder.maxOperationTime(p.getMaxOperationTime());
        }
        if (isConfigured("pause-time")) {
            builder.pauseTime(p.getPauseTime());
        }
        if (isConfigured("max-concurrent-batches")) {
            builder.maxConcurrentBatches(p.getMaxConcurrentBatches());
        }
        if (isConfigured("emit-batch")) {
            builder.emitBatch(p.isEmitBatch());
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
        if (THROTTLE.stream().anyMatch(this::isConfigured)) {
            builder.throttle(p.getThrottle().getDecreaseFactor(), p.getThrottle().getRecoveryStep());
        }
    }

    private boolean isConfigured(String option) {
        return this.configured.isConfigured(option);
    }
}
