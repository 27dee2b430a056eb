package dev.batcher.autoconfigure;

import dev.batcher.task.TaskQueueConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.util.unit.DataSize;

/**
 * The task queue's properties, {@code batcher.tasks.*}: where calls run ({@code mode}), what this process does
 * ({@code role}), worker pools, timeouts, retries, the payload limit, and the Redis Streams broker's options.
 * Defaults are the engine's ({@link TaskQueueConfig}, {@code RedisTaskBrokerOptions}).
 */
public class TaskProperties {

    /**
     * Where calls run: 'local' (in this process, on its worker pools; no broker, no server needed) or 'redis' (tasks
     * go through Redis Streams to the workers of every process of the application; needs batcher-redis and
     * spring-boot-starter-data-redis with spring.data.redis.*).
     */
    private Mode mode = Mode.LOCAL;

    /**
     * What this process does in 'redis' mode: 'both' (calls tasks and runs its @TaskWorker methods), 'client' (only
     * calls: no worker consumes here) or 'worker' (runs its @TaskWorker methods for every caller). Ignored in local
     * mode.
     */
    private TaskQueueConfig.Role role = TaskQueueConfig.Role.BOTH;

    /** Calls of one task name running at once in this process, unless set by workers.<name>.concurrency. */
    private int concurrency = 4;

    /** Per task name: options of that task's worker pool in this process. */
    private final Map<String, Worker> workers = new LinkedHashMap<>();

    /** The longest one attempt may run; past it the worker is interrupted and the call fails with TIMEOUT. */
    private Duration timeout = Duration.ofMinutes(5);

    /** Attempts per call and the back-off between them. */
    private final Retry retry = new Retry();

    /**
     * The largest marshalled arguments of a call, refused by the caller (never sent) and by the worker (never
     * parsed). At least 16 bytes.
     */
    private DataSize maxPayloadBytes = DataSize.ofMegabytes(1);

    /**
     * How long closing the queue from code (TaskQueue.close()) waits for calls to end. On application shutdown
     * batcher.shutdown.timeout applies instead.
     */
    private Duration drainTimeout = Duration.ofSeconds(30);

    /** The Redis Streams broker's options, used in 'redis' mode. */
    private final Redis redis = new Redis();

    /** Where calls run: local or redis. */
    public Mode getMode() {
        return this.mode;
    }

    /** Sets where calls run: local or redis. */
    public void setMode(Mode mode) {
        this.mode = mode;
    }

    /** What this process does in redis mode: both, client or worker. */
    public TaskQueueConfig.Role getRole() {
        return this.role;
    }

    /** Sets what this process does in redis mode: both, client or worker. */
    public void setRole(TaskQueueConfig.Role role) {
        this.role = role;
    }

    /** Calls of one task name running at once in this process. */
    public int getConcurrency() {
        return this.concurrency;
    }

    /** Sets the calls of one task name running at once in this process. */
    public void setConcurrency(int concurrency) {
        this.concurrency = concurrency;
    }

    /** Worker pool options per task name. */
    public Map<String, Worker> getWorkers() {
        return this.workers;
    }

    /** The longest one attempt may run. */
    public Duration getTimeout() {
        return this.timeout;
    }

    /** Sets the longest one attempt may run. */
    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    /** Attempts per call and back-off. */
    public Retry getRetry() {
        return this.retry;
    }

    /** The largest marshalled arguments of a call. */
    public DataSize getMaxPayloadBytes() {
        return this.maxPayloadBytes;
    }

    /** Sets the largest marshalled arguments of a call. */
    public void setMaxPayloadBytes(DataSize maxPayloadBytes) {
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** How long closing the queue from code waits for calls to end. */
    public Duration getDrainTimeout() {
        return this.drainTimeout;
    }

    /** Sets how long closing the queue from code waits for calls to end. */
    public void setDrainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

    /** The Redis Streams broker's options. */
    public Redis getRedis() {
        return this.redis;
    }

    /** Where calls run. */
    public enum Mode {

        /** In this process, on its worker pools; no broker. */
        LOCAL,

        /** Through Redis Streams, on the workers of any process. */
        REDIS
    }

    /** Options of one task's worker pool. */
    public static class Worker {

        /** Calls of this task running at once in this process; unset: batcher.tasks.concurrency. At least 1. */
        private Integer concurrency;

        /** Calls of this task running at once in this process; {@code null}: batcher.tasks.concurrency. */
        public Integer getConcurrency() {
            return this.concurrency;
        }

        /** Sets the calls of this task running at once in this process. */
        public void setConcurrency(Integer concurrency) {
            this.concurrency = concurrency;
        }
    }

    /** Attempts per call and the back-off between them (spring-retry's exponential back-off). */
    public static class Retry {

        /** Attempts per call including the first; 1: no retry; -1: retry until it succeeds. */
        private int maxAttempts = 1;

        /** Wait before the first retry. */
        private Duration initialBackoff = Duration.ofSeconds(1);

        /** Each wait is the previous one times this. At least 1. */
        private double multiplier = 2.0;

        /** Longest wait between attempts. */
        private Duration maxBackoff = Duration.ofMinutes(5);

        /** Attempts per call including the first; -1: unlimited. */
        public int getMaxAttempts() {
            return this.maxAttempts;
        }

        /** Sets the attempts per call including the first; -1: unlimited. */
        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        /** Wait before the first retry. */
        public Duration getInitialBackoff() {
            return this.initialBackoff;
        }

        /** Sets the wait before the first retry. */
        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        /** Back-off multiplier. */
        public double getMultiplier() {
            return this.multiplier;
        }

        /** Sets the back-off multiplier. */
        public void setMultiplier(double multiplier) {
            this.multiplier = multiplier;
        }

        /** Longest wait between attempts. */
        public Duration getMaxBackoff() {
            return this.maxBackoff;
        }

        /** Sets the longest wait between attempts. */
        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }
    }

    /** The Redis Streams broker's options ({@code RedisTaskBrokerOptions}). */
    public static class Redis {

        /**
         * Prefix of every key of the broker; processes that share tasks use the same prefix. No '{' or '}'.
         */
        private String keyPrefix = "batcher:tasks";

        /**
         * How long a delivered task may stay unacknowledged before another worker takes it over (a crashed worker's
         * tasks run again: at least once). Keep it above batcher.tasks.timeout's real task times.
         */
        private Duration reclaimIdleTime = Duration.ofSeconds(30);

        /** Deliveries of one task before it goes to the dead-letter stream with a Fail report. At least 1. */
        private int maxDeliveries = 5;

        /** How long a call's reports (its result) are kept in Redis. At least 1s. */
        private Duration resultTtl = Duration.ofHours(1);

        /** How long a worker's read blocks waiting for tasks. At least 1ms. */
        private Duration blockTimeout = Duration.ofSeconds(1);

        /** Tasks read at most in one read of a worker. Between 1 and 10000. */
        private int readBatch = 100;

        /** How often delayed and retried tasks that are due are moved to their stream. At least 1ms. */
        private Duration delayedPollInterval = Duration.ofMillis(100);

        /** This process's name in the consumer groups; unset: pid plus a random suffix. */
        private String instanceId;

        /** Prefix of every key of the broker. */
        public String getKeyPrefix() {
            return this.keyPrefix;
        }

        /** Sets the prefix of every key of the broker. */
        public void setKeyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }

        /** How long a delivered task may stay unacknowledged before another worker takes it over. */
        public Duration getReclaimIdleTime() {
            return this.reclaimIdleTime;
        }

        /** Sets how long a delivered task may stay unacknowledged before another worker takes it over. */
        public void setReclaimIdleTime(Duration reclaimIdleTime) {
            this.reclaimIdleTime = reclaimIdleTime;
        }

        /** Deliveries of one task before it is dead-lettered. */
        public int getMaxDeliveries() {
            return this.maxDeliveries;
        }

        /** Sets the deliveries of one task before it is dead-lettered. */
        public void setMaxDeliveries(int maxDeliveries) {
            this.maxDeliveries = maxDeliveries;
        }

        /** How long a call's reports are kept. */
        public Duration getResultTtl() {
            return this.resultTtl;
        }

        /** Sets how long a call's reports are kept. */
        public void setResultTtl(Duration resultTtl) {
            this.resultTtl = resultTtl;
        }

        /** How long a worker's read blocks. */
        public Duration getBlockTimeout() {
            return this.blockTimeout;
        }

        /** Sets how long a worker's read blocks. */
        public void setBlockTimeout(Duration blockTimeout) {
            this.blockTimeout = blockTimeout;
        }

        /** Tasks read at most in one read. */
        public int getReadBatch() {
            return this.readBatch;
        }

        /** Sets the tasks read at most in one read. */
        public void setReadBatch(int readBatch) {
            this.readBatch = readBatch;
        }

        /** How often due delayed tasks are moved to their stream. */
        public Duration getDelayedPollInterval() {
            return this.delayedPollInterval;
        }

        /** Sets how often due delayed tasks are moved to their stream. */
        public void setDelayedPollInterval(Duration delayedPollInterval) {
            this.delayedPollInterval = delayedPollInterval;
        }

        /** This process's name in the consumer groups, or {@code null}. */
        public String getInstanceId() {
            return this.instanceId;
        }

        /** Sets this process's name in the consumer groups. */
        public void setInstanceId(String instanceId) {
            this.instanceId = instanceId;
        }
    }
}
