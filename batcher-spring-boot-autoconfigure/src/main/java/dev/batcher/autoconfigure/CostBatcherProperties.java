package dev.batcher.autoconfigure;

import dev.batcher.FullBehavior;
import dev.batcher.cost.BatcherConfig;
import java.time.Duration;

/**
 * Options of one cost batcher (go-batcher), {@code batcher.batchers.<name>.*}. What the configuration does not set
 * keeps the engine's default ({@link BatcherConfig}), which the field values here mirror for the IDE metadata (as
 * literals, which the configuration processor can read; a test holds them equal to the engine's).
 * go-batcher's names are in brackets. Shared capacity across instances ({@code shared.*}) needs the
 * {@code batcher-redis} module and a {@code RedisConnectionFactory} bean.
 */
public class CostBatcherProperties {

    /**
     * Provisioned capacity in cost units per second (such as request units) [ProvisionedResource]: batches are paced
     * so that their summed cost stays within it, and an operation costing more is refused. Unset: no capacity
     * limiter, batches are not paced.
     */
    private Long capacity;

    /**
     * How long a watcher's partly filled batch waits after its first operation before it is processed; with a
     * capacity, each interval dispatches up to capacity x interval, and always at least one batch [FlushInterval].
     */
    private Duration flushInterval = Duration.ofMillis(100);

    /** How often the needed capacity is sent to the capacity limiter [CapacityInterval]. */
    private Duration capacityInterval = Duration.ofMillis(100);

    /** How often the needed capacity is checked for a value stuck above zero, and reset [AuditInterval]. */
    private Duration auditInterval = Duration.ofSeconds(10);

    /**
     * A batch counts as done this long after it was handed to its watcher even if the watcher has not returned (its
     * thread is then interrupted); a watcher's own max-operation-time overrides it [MaxOperationTime].
     */
    private Duration maxOperationTime = Duration.ofMinutes(1);

    /** How long a pause holds processing: after a pause, or when a watcher reports throttling [PauseTime]. */
    private Duration pauseTime = Duration.ofMillis(500);

    /** Batches processed at once at most, across all watchers (go-batcher: unbounded). */
    private int maxConcurrentBatches = 8;

    /** Whether a 'batch' event is emitted for each batch (with its operations) [WithEmitBatch]; for tests. */
    private boolean emitBatch;

    private final Buffer buffer = new Buffer();

    private final Throttle throttle = new Throttle();

    private final Shared shared = new Shared();

    /** Provisioned capacity in cost units per second; {@code null}: no limiter. */
    public Long getCapacity() {
        return this.capacity;
    }

    /** Sets the provisioned capacity in cost units per second; {@code null}: no limiter. */
    public void setCapacity(Long capacity) {
        this.capacity = capacity;
    }

    /** How long a partly filled batch waits before it is processed. */
    public Duration getFlushInterval() {
        return this.flushInterval;
    }

    /** Sets how long a partly filled batch waits before it is processed. */
    public void setFlushInterval(Duration flushInterval) {
        this.flushInterval = flushInterval;
    }

    /** How often the needed capacity is sent to the limiter. */
    public Duration getCapacityInterval() {
        return this.capacityInterval;
    }

    /** Sets how often the needed capacity is sent to the limiter. */
    public void setCapacityInterval(Duration capacityInterval) {
        this.capacityInterval = capacityInterval;
    }

    /** How often the needed capacity is audited. */
    public Duration getAuditInterval() {
        return this.auditInterval;
    }

    /** Sets how often the needed capacity is audited. */
    public void setAuditInterval(Duration auditInterval) {
        this.auditInterval = auditInterval;
    }

    /** How long a batch may run before it counts as done. */
    public Duration getMaxOperationTime() {
        return this.maxOperationTime;
    }

    /** Sets how long a batch may run before it counts as done. */
    public void setMaxOperationTime(Duration maxOperationTime) {
        this.maxOperationTime = maxOperationTime;
    }

    /** How long a pause holds processing. */
    public Duration getPauseTime() {
        return this.pauseTime;
    }

    /** Sets how long a pause holds processing. */
    public void setPauseTime(Duration pauseTime) {
        this.pauseTime = pauseTime;
    }

    /** Batches processed at once at most. */
    public int getMaxConcurrentBatches() {
        return this.maxConcurrentBatches;
    }

    /** Sets the batches processed at once at most. */
    public void setMaxConcurrentBatches(int maxConcurrentBatches) {
        this.maxConcurrentBatches = maxConcurrentBatches;
    }

    /** Whether a 'batch' event is emitted for each batch. */
    public boolean isEmitBatch() {
        return this.emitBatch;
    }

    /** Sets whether a 'batch' event is emitted for each batch. */
    public void setEmitBatch(boolean emitBatch) {
        this.emitBatch = emitBatch;
    }

    /** Buffer options. */
    public Buffer getBuffer() {
        return this.buffer;
    }

    /** Throttling options. */
    public Throttle getThrottle() {
        return this.throttle;
    }

    /** Shared capacity options. */
    public Shared getShared() {
        return this.shared;
    }

    /**
     * Capacity shared by every instance of the application through leases in Redis (go-batcher's
     * AzureSharedResource): each instance has its reserved capacity plus the partitions it holds. Set
     * shared.capacity to use it (instead of capacity); needs the batcher-redis module and a RedisConnectionFactory
     * bean (spring-boot-starter-data-redis).
     */
    public static class Shared {

        /**
         * Capacity all instances share, in cost units per second. Unset: not shared. Every instance sharing it sets
         * the same shared.name, shared.capacity, shared.partition-size and shared.lease-time.
         */
        private Long capacity;

        /**
         * Name of the shared resource: instances with the same name share one capacity (part of every Redis key).
         * Unset: the batcher name.
         */
        private String name;

        /**
         * Capacity one partition lease grants [factor]; at most 500 partitions. Unset: shared.capacity / 500, rounded
         * up (at least 1).
         */
        private Long partitionSize;

        /** Capacity this instance always has, without any lease [ReservedCapacity]. */
        private long reservedCapacity = 0;

        /** How long a partition lease lasts unless renewed; at least 3 times max-interval. */
        private Duration leaseTime = Duration.ofSeconds(15);

        /** Longest time between two requests for partitions [MaxInterval]. */
        private Duration maxInterval = Duration.ofMillis(500);

        /** This instance's id, stored in the leases it holds; unique per instance. Unset: a random id. */
        private String instanceId;

        /** Capacity all instances share; {@code null}: not shared. */
        public Long getCapacity() {
            return this.capacity;
        }

        /** Sets the capacity all instances share; {@code null}: not shared. */
        public void setCapacity(Long capacity) {
            this.capacity = capacity;
        }

        /** Name of the shared resource; {@code null}: the batcher name. */
        public String getName() {
            return this.name;
        }

        /** Sets the name of the shared resource. */
        public void setName(String name) {
            this.name = name;
        }

        /** Capacity one partition lease grants; {@code null}: capacity / 500. */
        public Long getPartitionSize() {
            return this.partitionSize;
        }

        /** Sets the capacity one partition lease grants. */
        public void setPartitionSize(Long partitionSize) {
            this.partitionSize = partitionSize;
        }

        /** Capacity this instance always has. */
        public long getReservedCapacity() {
            return this.reservedCapacity;
        }

        /** Sets the capacity this instance always has. */
        public void setReservedCapacity(long reservedCapacity) {
            this.reservedCapacity = reservedCapacity;
        }

        /** How long a partition lease lasts unless renewed. */
        public Duration getLeaseTime() {
            return this.leaseTime;
        }

        /** Sets how long a partition lease lasts unless renewed. */
        public void setLeaseTime(Duration leaseTime) {
            this.leaseTime = leaseTime;
        }

        /** Longest time between two requests for partitions. */
        public Duration getMaxInterval() {
            return this.maxInterval;
        }

        /** Sets the longest time between two requests for partitions. */
        public void setMaxInterval(Duration maxInterval) {
            this.maxInterval = maxInterval;
        }

        /** This instance's id; {@code null}: random. */
        public String getInstanceId() {
            return this.instanceId;
        }

        /** Sets this instance's id. */
        public void setInstanceId(String instanceId) {
            this.instanceId = instanceId;
        }
    }

    /** Buffer options: how many operations a batcher holds and what an enqueue does when it is full. */
    public static class Buffer {

        /** Operations held at most, from enqueue until their batch is done [buffer size]. */
        private int maxItems = 10000;

        /**
         * What an enqueue does when the buffer is full: 'block' (wait up to block-timeout), 'reject' (fail at once)
         * [WithErrorOnFullBuffer] or 'drop-oldest' (drop the oldest waiting batch).
         */
        private FullBehavior fullBehavior = FullBehavior.BLOCK;

        /** How long an enqueue waits for room with full-behavior 'block' before it fails. */
        private Duration blockTimeout = Duration.ofSeconds(10);

        /** Operations held at most. */
        public int getMaxItems() {
            return this.maxItems;
        }

        /** Sets the operations held at most. */
        public void setMaxItems(int maxItems) {
            this.maxItems = maxItems;
        }

        /** What an enqueue does when the buffer is full. */
        public FullBehavior getFullBehavior() {
            return this.fullBehavior;
        }

        /** Sets what an enqueue does when the buffer is full. */
        public void setFullBehavior(FullBehavior fullBehavior) {
            this.fullBehavior = fullBehavior;
        }

        /** How long an enqueue waits for room. */
        public Duration getBlockTimeout() {
            return this.blockTimeout;
        }

        /** Sets how long an enqueue waits for room. */
        public void setBlockTimeout(Duration blockTimeout) {
            this.blockTimeout = blockTimeout;
        }
    }

    /**
     * What the batcher does when the datastore throttles (a watcher throws ThrottledException or calls
     * Batcher.throttle()): it pauses for pause-time, lowers its pace, then regains it step by step.
     */
    public static class Throttle {

        /** The pace is multiplied by this when the datastore throttles; between 0 and 1 (exclusive). */
        private double decreaseFactor = 0.5;

        /** The share of the capacity the pace regains every capacity-interval; above 0, at most 1. */
        private double recoveryStep = 0.05;

        /** The factor the pace is multiplied by when the datastore throttles. */
        public double getDecreaseFactor() {
            return this.decreaseFactor;
        }

        /** Sets the factor the pace is multiplied by when the datastore throttles. */
        public void setDecreaseFactor(double decreaseFactor) {
            this.decreaseFactor = decreaseFactor;
        }

        /** The share of the capacity regained every capacity-interval. */
        public double getRecoveryStep() {
            return this.recoveryStep;
        }

        /** Sets the share of the capacity regained every capacity-interval. */
        public void setRecoveryStep(double recoveryStep) {
            this.recoveryStep = recoveryStep;
        }
    }
}
