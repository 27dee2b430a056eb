package dev.batcher.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Configuration properties under {@code batcher}: shared dispatcher defaults, named dispatchers, named cost batchers,
 * named resource processors and commit coordinators (each kind with its defaults), shutdown and health thresholds. Unknown keys under {@code batcher} fail startup ({@code ignoreUnknownFields = false}), so that a
 * misspelled key is not silently ignored.
 */
@ConfigurationProperties(prefix = "batcher", ignoreUnknownFields = false)
public class BatcherProperties {

    /**
     * Options every dispatcher starts from; a dispatcher's own batcher.dispatchers.<name>.* keys override them.
     */
    @NestedConfigurationProperty
    private final DispatcherProperties defaults = new DispatcherProperties();

    /**
     * Dispatchers by name, each with the keys of batcher.defaults. Each name needs a bean method annotated with
     * {@code @BatchSink("<name>")}, or a dispatcher the application builds with the BatcherDispatchers bean; a
     * dispatcher with a sink and no properties runs with batcher.defaults.
     */
    private final Map<String, DispatcherProperties> dispatchers = new LinkedHashMap<>();

    /**
     * Options every cost batcher starts from; a batcher's own batcher.batchers.<name>.* keys override them.
     */
    @NestedConfigurationProperty
    private final CostBatcherProperties batcherDefaults = new CostBatcherProperties();

    /**
     * Cost batchers (go-batcher) by name, each with the keys of batcher.batcher-defaults. Each name needs at least one bean method annotated with
     * {@code @BatchWatcher("<name>")}, or a batcher the application builds with the CostBatchers bean; a batcher with
     * watchers and no properties runs with batcher.batcher-defaults (by default no capacity, so not paced).
     */
    private final Map<String, CostBatcherProperties> batchers = new LinkedHashMap<>();

    /**
     * Options every resource processor starts from; a processor's own batcher.processors.<name>.* keys override them.
     */
    @NestedConfigurationProperty
    private final ResourceProcessorProperties processorDefaults = new ResourceProcessorProperties();

    /**
     * Resource processors (elgopher/batch) by name, each with the keys of batcher.processor-defaults. Each name needs
     * a ResourceStore bean named like the processor or annotated with {@code @ProcessorStore("<name>")}, or a
     * processor the application builds with the ResourceProcessors bean.
     */
    private final Map<String, ResourceProcessorProperties> processors = new LinkedHashMap<>();

    /**
     * Options every commit coordinator starts from; a coordinator's own batcher.coordinators.<name>.* keys override
     * them.
     */
    @NestedConfigurationProperty
    private final CoordinatorProperties coordinatorDefaults = new CoordinatorProperties();

    /**
     * Commit coordinators (nikandfor/batch) by name, each with the keys of batcher.coordinator-defaults. Each name
     * needs a bean method annotated with {@code @BatchCommit("<name>")}, or a coordinator the application builds with
     * the Coordinators bean.
     */
    private final Map<String, CoordinatorProperties> coordinators = new LinkedHashMap<>();

    private final Shutdown shutdown = new Shutdown();

    private final Health health = new Health();

    /**
     * The task queue (dingo): @TaskWorker methods called by name through the TaskClient bean, in this process or on
     * remote workers over Redis Streams.
     */
    @NestedConfigurationProperty
    private final TaskProperties tasks = new TaskProperties();

    /** Options every dispatcher starts from. */
    public DispatcherProperties getDefaults() {
        return this.defaults;
    }

    /** Dispatchers by name. */
    public Map<String, DispatcherProperties> getDispatchers() {
        return this.dispatchers;
    }

    /** Options every cost batcher starts from. */
    public CostBatcherProperties getBatcherDefaults() {
        return this.batcherDefaults;
    }

    /** Cost batchers by name. */
    public Map<String, CostBatcherProperties> getBatchers() {
        return this.batchers;
    }

    /** Options every resource processor starts from. */
    public ResourceProcessorProperties getProcessorDefaults() {
        return this.processorDefaults;
    }

    /** Resource processors by name. */
    public Map<String, ResourceProcessorProperties> getProcessors() {
        return this.processors;
    }

    /** Options every commit coordinator starts from. */
    public CoordinatorProperties getCoordinatorDefaults() {
        return this.coordinatorDefaults;
    }

    /** Commit coordinators by name. */
    public Map<String, CoordinatorProperties> getCoordinators() {
        return this.coordinators;
    }

    /** The task queue's options. */
    public TaskProperties getTasks() {
        return this.tasks;
    }

    /** Graceful shutdown options. */
    public Shutdown getShutdown() {
        return this.shutdown;
    }

    /** Health contributor thresholds. */
    public Health getHealth() {
        return this.health;
    }

    /** Graceful shutdown options. */
    public static class Shutdown {

        /**
         * How long the application waits on shutdown for every instance to send what it holds, all instances in
         * parallel. What is left after it is dropped with reason 'shutdown'. Keep
         * 'spring.lifecycle.timeout-per-shutdown-phase' (default 30s) at least 5s longer: startup warns otherwise.
         */
        private Duration timeout = Duration.ofSeconds(25);

        /** How long the application waits on shutdown for every instance to drain. */
        public Duration getTimeout() {
            return this.timeout;
        }

        /** Sets how long the application waits on shutdown for every instance to drain. */
        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    /** Thresholds of the 'batchers' health contributor. */
    public static class Health {

        /**
         * Failed send attempts in a row after which an instance is reported DOWN, until a send succeeds (for a
         * resource processor: batches whose load or save failed; for a coordinator: commits that threw). 0 turns
         * this check off.
         */
        private int maxConsecutiveFailures = 10;

        /**
         * How long a buffer may stay full before its instance is reported DOWN. 0 turns this check off.
         */
        private Duration maxFullDuration = Duration.ofSeconds(30);

        /** Failed send attempts in a row after which an instance is reported DOWN; 0: off. */
        public int getMaxConsecutiveFailures() {
            return this.maxConsecutiveFailures;
        }

        /** Sets the failed send attempts in a row after which an instance is reported DOWN; 0: off. */
        public void setMaxConsecutiveFailures(int maxConsecutiveFailures) {
            this.maxConsecutiveFailures = maxConsecutiveFailures;
        }

        /** How long a buffer may stay full before its instance is reported DOWN; 0: off. */
        public Duration getMaxFullDuration() {
            return this.maxFullDuration;
        }

        /** Sets how long a buffer may stay full before its instance is reported DOWN; 0: off. */
        public void setMaxFullDuration(Duration maxFullDuration) {
            this.maxFullDuration = maxFullDuration;
        }
    }
}
