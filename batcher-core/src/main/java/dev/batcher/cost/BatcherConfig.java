package dev.batcher.cost;

import dev.batcher.BufferLimits;
import dev.batcher.DropHandler;
import dev.batcher.FullBehavior;
import dev.batcher.InvalidOptionException;
import dev.batcher.SendLimits;
import dev.batcher.limit.CapacityLimiter;
import dev.batcher.time.Scheduler;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable options of a {@link Batcher}, built and validated by {@link Builder}. Defaults are go-batcher's. Option
 * names in errors are the property keys the Spring Boot starter binds under {@code batcher.batchers.<name>.};
 * go-batcher's names are given for comparison.
 */
public final class BatcherConfig {

    /** Default {@code flush-interval} (go-batcher's FlushInterval). */
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(100);

    /** Default {@code capacity-interval} (go-batcher's CapacityInterval). */
    public static final Duration DEFAULT_CAPACITY_INTERVAL = Duration.ofMillis(100);

    /** Default {@code audit-interval} (go-batcher's AuditInterval). */
    public static final Duration DEFAULT_AUDIT_INTERVAL = Duration.ofSeconds(10);

    /** Default {@code max-operation-time} (go-batcher's MaxOperationTime). */
    public static final Duration DEFAULT_MAX_OPERATION_TIME = Duration.ofMinutes(1);

    /** Default {@code pause-time} (go-batcher's PauseTime). */
    public static final Duration DEFAULT_PAUSE_TIME = Duration.ofMillis(500);

    /** Default {@code buffer.max-items} (go-batcher's buffer size). */
    public static final int DEFAULT_BUFFER_MAX_ITEMS = 10_000;

    /** Default {@code max-concurrent-batches}: batches being processed at once at most. */
    public static final int DEFAULT_MAX_CONCURRENT_BATCHES = 8;

    /** Default {@code throttle.decrease-factor}: the pace is halved when the datastore throttles. */
    public static final double DEFAULT_THROTTLE_DECREASE = 0.5;

    /** Default {@code throttle.recovery-step}: the pace regains 5% of the capacity every capacity interval. */
    public static final double DEFAULT_THROTTLE_RECOVERY_STEP = 0.05;

    /** Default {@code drain-timeout}: how long {@link Batcher#close()} waits for the drain. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private final CapacityLimiter capacityLimiter;
    private final Duration flushInterval;
    private final Duration capacityInterval;
    private final Duration auditInterval;
    private final Duration maxOperationTime;
    private final Duration pauseTime;
    private final BufferLimits buffer;
    private final SendLimits sends;
    private final double throttleDecrease;
    private final double throttleRecoveryStep;
    private final boolean emitBatch;
    private final Duration drainTimeout;
    private final DropHandler<Operation<?>> dropHandler;
    private final Scheduler scheduler;

    private BatcherConfig(Builder b, BufferLimits buffer, SendLimits sends) {
        this.capacityLimiter = b.capacityLimiter;
        this.flushInterval = b.flushInterval;
        this.capacityInterval = b.capacityInterval;
        this.auditInterval = b.auditInterval;
        this.maxOperationTime = b.maxOperationTime;
        this.pauseTime = b.pauseTime;
        this.buffer = buffer;
        this.sends = sends;
        this.throttleDecrease = b.throttleDecrease;
        this.throttleRecoveryStep = b.throttleRecoveryStep;
        this.emitBatch = b.emitBatch;
        this.drainTimeout = b.drainTimeout;
        this.dropHandler = b.dropHandler;
        this.scheduler = b.scheduler;
    }

    /** A builder with every option at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from the options of {@code base}.
     *
     * @param base the options to copy
     * @return a new builder
     */
    public static Builder from(BatcherConfig base) {
        return new Builder(base);
    }

    /** The options with every default: no capacity limiter, so batches are not paced. */
    public static BatcherConfig defaults() {
        return builder().build();
    }

    /**
     * The capacity limiter (go-batcher's rate limiter: provisioned or shared capacity), or {@code null} for none:
     * batches are then not paced and no capacity is requested. The batcher starts it in {@link Batcher#start()} and
     * closes it when it stops.
     */
    public CapacityLimiter capacityLimiter() {
        return capacityLimiter;
    }

    /**
     * {@code flush-interval} (go-batcher's FlushInterval): a watcher's partly filled batch is cut this long after its
     * first operation; with a limiter, each interval dispatches up to capacity x interval.
     */
    public Duration flushInterval() {
        return flushInterval;
    }

    /** {@code capacity-interval} (CapacityInterval): how often the needed capacity is sent to the limiter. */
    public Duration capacityInterval() {
        return capacityInterval;
    }

    /** {@code audit-interval} (AuditInterval): how often the needed capacity is checked for a stuck value. */
    public Duration auditInterval() {
        return auditInterval;
    }

    /**
     * {@code max-operation-time} (MaxOperationTime): a batch counts as done this long after it was handed to its
     * watcher even if the watcher has not returned (its thread is then interrupted); a watcher's own overrides it.
     */
    public Duration maxOperationTime() {
        return maxOperationTime;
    }

    /** {@code pause-time} (PauseTime): how long {@link Batcher#pause()} holds processing. */
    public Duration pauseTime() {
        return pauseTime;
    }

    /**
     * {@code buffer.*}: {@code buffer.max-items} (operations held at most, from enqueue until done),
     * {@code buffer.full-behavior} ({@code block}, or {@code reject} for go-batcher's WithErrorOnFullBuffer; also
     * {@code drop-oldest}) and {@code buffer.block-timeout}.
     */
    public BufferLimits buffer() {
        return buffer;
    }

    /** {@code buffer.max-items}. */
    public int bufferMaxItems() {
        return buffer.maxItems();
    }

    /** {@code buffer.full-behavior}. */
    public FullBehavior fullBehavior() {
        return buffer.fullBehavior();
    }

    /** {@code max-concurrent-batches}: batches being processed at once at most (go-batcher: unbounded). */
    public int maxConcurrentBatches() {
        return sends.maxConcurrent();
    }

    /** {@code max-concurrent-batches} and {@code max-operation-time} as the kernel's send limits. */
    SendLimits sends() {
        return sends;
    }

    /** {@code throttle.decrease-factor}: the pace is multiplied by this when the datastore throttles. */
    public double throttleDecrease() {
        return throttleDecrease;
    }

    /** {@code throttle.recovery-step}: the share of the capacity the pace regains every capacity interval. */
    public double throttleRecoveryStep() {
        return throttleRecoveryStep;
    }

    /** {@code emit-batch} (WithEmitBatch): whether a {@code batch} event is emitted per batch; for tests. */
    public boolean emitBatch() {
        return emitBatch;
    }

    /** {@code drain-timeout}: how long {@link Batcher#close()} waits for the buffered operations. */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    /** Told about dropped operations, or {@code null} (drops are then logged). */
    public DropHandler<Operation<?>> dropHandler() {
        return dropHandler;
    }

    /** The clock and timer, or {@code null} for a timer thread of the batcher's own. */
    public Scheduler scheduler() {
        return scheduler;
    }

    /**
     * Builds {@link BatcherConfig}. Every option has a default; {@link #build()} checks them and throws
     * {@link InvalidOptionException} naming the option, its value and the fix.
     */
    public static final class Builder {

        private CapacityLimiter capacityLimiter;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
        private Duration capacityInterval = DEFAULT_CAPACITY_INTERVAL;
        private Duration auditInterval = DEFAULT_AUDIT_INTERVAL;
        private Duration maxOperationTime = DEFAULT_MAX_OPERATION_TIME;
        private Duration pauseTime = DEFAULT_PAUSE_TIME;
        private int bufferMaxItems = DEFAULT_BUFFER_MAX_ITEMS;
        private FullBehavior fullBehavior = FullBehavior.BLOCK;
        private Duration blockTimeout = BufferLimits.DEFAULTS.blockTimeout();
        private int maxConcurrentBatches = DEFAULT_MAX_CONCURRENT_BATCHES;
        private double throttleDecrease = DEFAULT_THROTTLE_DECREASE;
        private double throttleRecoveryStep = DEFAULT_THROTTLE_RECOVERY_STEP;
        private boolean emitBatch;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private DropHandler<Operation<?>> dropHandler;
        private Scheduler scheduler;

        private Builder() {
        }

        private Builder(BatcherConfig c) {
            capacityLimiter = c.capacityLimiter;
            flushInterval = c.flushInterval;
            capacityInterval = c.capacityInterval;
            auditInterval = c.auditInterval;
            maxOperationTime = c.maxOperationTime;
            pauseTime = c.pauseTime;
            buffer(c.buffer);
            maxConcurrentBatches = c.sends.maxConcurrent();
            throttleDecrease = c.throttleDecrease;
            throttleRecoveryStep = c.throttleRecoveryStep;
            emitBatch = c.emitBatch;
            drainTimeout = c.drainTimeout;
            dropHandler = c.dropHandler;
            scheduler = c.scheduler;
        }

        /** See {@link BatcherConfig#capacityLimiter()}. Default: none. */
        public Builder capacityLimiter(CapacityLimiter limiter) {
            this.capacityLimiter = limiter;
            return this;
        }

        /** See {@link BatcherConfig#flushInterval()}. Default 100 ms. */
        public Builder flushInterval(Duration interval) {
            this.flushInterval = interval;
            return this;
        }

        /** See {@link BatcherConfig#capacityInterval()}. Default 100 ms. */
        public Builder capacityInterval(Duration interval) {
            this.capacityInterval = interval;
            return this;
        }

        /** See {@link BatcherConfig#auditInterval()}. Default 10 s. */
        public Builder auditInterval(Duration interval) {
            this.auditInterval = interval;
            return this;
        }

        /** See {@link BatcherConfig#maxOperationTime()}. Default 1 min. */
        public Builder maxOperationTime(Duration time) {
            this.maxOperationTime = time;
            return this;
        }

        /** See {@link BatcherConfig#pauseTime()}. Default 500 ms. */
        public Builder pauseTime(Duration time) {
            this.pauseTime = time;
            return this;
        }

        /** Sets every {@code buffer.*} option at once ({@code buffer.max-bytes} must be -1: operations have a cost). */
        public Builder buffer(BufferLimits limits) {
            if (limits.maxBytes() != BufferLimits.DEFAULTS.maxBytes()) {
                throw new InvalidOptionException("buffer.max-bytes", limits.maxBytes(), "is not an option of a "
                        + "batcher; limit the buffer with buffer.max-items");
            }
            bufferMaxItems = limits.maxItems();
            fullBehavior = limits.fullBehavior();
            blockTimeout = limits.blockTimeout();
            return this;
        }

        /** See {@link BatcherConfig#bufferMaxItems()}. Default 10,000. */
        public Builder bufferMaxItems(int maxItems) {
            this.bufferMaxItems = maxItems;
            return this;
        }

        /** See {@link BatcherConfig#fullBehavior()}. Default {@link FullBehavior#BLOCK}. */
        public Builder fullBehavior(FullBehavior behavior) {
            this.fullBehavior = behavior;
            return this;
        }

        /** {@code buffer.block-timeout}: how long a blocked enqueue waits for room. Default 10 s. */
        public Builder blockTimeout(Duration timeout) {
            this.blockTimeout = timeout;
            return this;
        }

        /** See {@link BatcherConfig#maxConcurrentBatches()}. Default 8. */
        public Builder maxConcurrentBatches(int max) {
            this.maxConcurrentBatches = max;
            return this;
        }

        /**
         * See {@link BatcherConfig#throttleDecrease()} and {@link BatcherConfig#throttleRecoveryStep()}. Defaults 0.5
         * and 0.05.
         */
        public Builder throttle(double decreaseFactor, double recoveryStep) {
            this.throttleDecrease = decreaseFactor;
            this.throttleRecoveryStep = recoveryStep;
            return this;
        }

        /** See {@link BatcherConfig#emitBatch()}. Default false. */
        public Builder emitBatch(boolean emit) {
            this.emitBatch = emit;
            return this;
        }

        /** See {@link BatcherConfig#drainTimeout()}. Default 30 s. */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = timeout;
            return this;
        }

        /** See {@link BatcherConfig#dropHandler()}. Default: drops are logged. */
        public Builder dropHandler(DropHandler<Operation<?>> handler) {
            this.dropHandler = handler;
            return this;
        }

        /** See {@link BatcherConfig#scheduler()}. A scheduler passed here is not shut down by the batcher. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /**
         * Validates the options and builds the configuration.
         *
         * @return the configuration
         * @throws InvalidOptionException naming the first invalid option, its value and the fix
         */
        public BatcherConfig build() {
            positive(flushInterval, "flush-interval", "100ms");
            positive(capacityInterval, "capacity-interval", "100ms");
            positive(auditInterval, "audit-interval", "10s");
            positive(maxOperationTime, "max-operation-time", "1m");
            positive(pauseTime, "pause-time", "500ms");
            check(maxConcurrentBatches >= 1, "max-concurrent-batches", maxConcurrentBatches, "must be at least 1");
            check(throttleDecrease > 0 && throttleDecrease < 1, "throttle.decrease-factor", throttleDecrease,
                    "must be between 0 and 1 (exclusive), such as 0.5");
            check(throttleRecoveryStep > 0 && throttleRecoveryStep <= 1, "throttle.recovery-step",
                    throttleRecoveryStep, "must be above 0 and at most 1, such as 0.05");
            check(drainTimeout != null && !drainTimeout.isNegative(), "drain-timeout", drainTimeout,
                    "must be zero or positive");
            BufferLimits buffer = new BufferLimits(bufferMaxItems, BufferLimits.DEFAULTS.maxBytes(), fullBehavior,
                    blockTimeout);
            SendLimits sends = new SendLimits(maxConcurrentBatches, maxOperationTime);
            return new BatcherConfig(this, buffer, sends);
        }

        private static void positive(Duration value, String option, String example) {
            check(value != null && !value.isNegative() && !value.isZero(), option, value,
                    "must be positive, such as " + example);
        }

        private static void check(boolean ok, String option, Object value, String problem) {
            if (!ok) {
                throw new InvalidOptionException(option, Objects.toString(value), problem);
            }
        }
    }
}
