package dev.batcher.resource;

import dev.batcher.BufferLimits;
import dev.batcher.FullBehavior;
import dev.batcher.InvalidOptionException;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable options of a {@link ResourceProcessor}, built and validated by {@link Builder}. Defaults are elgopher's
 * where it has the option. Option names in errors are the property keys the Spring Boot starter binds under
 * {@code batcher.processors.<name>.}.
 */
public final class ResourceProcessorConfig {

    /** Default {@code min-duration} (elgopher's MinDuration). */
    public static final Duration DEFAULT_MIN_DURATION = Duration.ofMillis(100);

    /** Default {@code max-concurrent-batches}: batches of different keys processed at once at most. */
    public static final int DEFAULT_MAX_CONCURRENT_BATCHES = 8;

    /** Default {@code buffer.max-items}: operations held at most, from {@code run} until their batch ended. */
    public static final int DEFAULT_BUFFER_MAX_ITEMS = 10_000;

    /** Default {@code drain-timeout}: how long {@link ResourceProcessor#close()} waits for pending batches. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private final Duration minDuration;
    private final Duration maxDuration;
    private final int maxConcurrentBatches;
    private final BufferLimits buffer;
    private final Duration drainTimeout;

    private ResourceProcessorConfig(Builder b, Duration maxDuration, BufferLimits buffer) {
        this.minDuration = b.minDuration;
        this.maxDuration = maxDuration;
        this.maxConcurrentBatches = b.maxConcurrentBatches;
        this.buffer = buffer;
        this.drainTimeout = b.drainTimeout;
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
    public static Builder from(ResourceProcessorConfig base) {
        return new Builder(base);
    }

    /** The options with every default. */
    public static ResourceProcessorConfig defaults() {
        return builder().build();
    }

    /**
     * {@code min-duration} (MinDuration): a batch collects operations of its key for this long after its first
     * operation arrived; then it is cut, loaded, run and saved, and later operations go to the next batch.
     */
    public Duration minDuration() {
        return minDuration;
    }

    /**
     * {@code max-duration} (MaxDuration): a batch's deadline is its start plus this; load, the operations and save
     * run between {@code min-duration} and the deadline. Default 2 x {@code min-duration}.
     */
    public Duration maxDuration() {
        return maxDuration;
    }

    /**
     * {@code max-concurrent-batches}: batches processed at once at most, each on its own thread; batches of one key
     * never run at the same time.
     */
    public int maxConcurrentBatches() {
        return maxConcurrentBatches;
    }

    /**
     * {@code buffer.*}: {@code buffer.max-items} (operations held at most, from {@code run} until their batch ended),
     * {@code buffer.full-behavior} ({@code block} or {@code reject}) and {@code buffer.block-timeout}.
     */
    public BufferLimits buffer() {
        return buffer;
    }

    /** {@code drain-timeout}: how long {@link ResourceProcessor#close()} waits for the pending batches. */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    @Override
    public String toString() {
        return "ResourceProcessorConfig[min-duration=" + minDuration + ", max-duration=" + maxDuration
                + ", max-concurrent-batches=" + maxConcurrentBatches + ", buffer=" + buffer + ", drain-timeout="
                + drainTimeout + "]";
    }

    /**
     * Builds {@link ResourceProcessorConfig}. Every option has a default; {@link #build()} checks them and throws
     * {@link InvalidOptionException} naming the option, its value and the fix.
     */
    public static final class Builder {

        private Duration minDuration = DEFAULT_MIN_DURATION;
        private Duration maxDuration;
        private int maxConcurrentBatches = DEFAULT_MAX_CONCURRENT_BATCHES;
        private int bufferMaxItems = DEFAULT_BUFFER_MAX_ITEMS;
        private FullBehavior fullBehavior = FullBehavior.BLOCK;
        private Duration blockTimeout = BufferLimits.DEFAULTS.blockTimeout();
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;

        private Builder() {
        }

        private Builder(ResourceProcessorConfig c) {
            minDuration = c.minDuration;
            maxDuration = c.maxDuration;
            maxConcurrentBatches = c.maxConcurrentBatches;
            buffer(c.buffer);
            drainTimeout = c.drainTimeout;
        }

        /** See {@link ResourceProcessorConfig#minDuration()}. Default 100 ms. */
        public Builder minDuration(Duration duration) {
            this.minDuration = duration;
            return this;
        }

        /** See {@link ResourceProcessorConfig#maxDuration()}. Default ({@code null}): 2 x min-duration. */
        public Builder maxDuration(Duration duration) {
            this.maxDuration = duration;
            return this;
        }

        /** See {@link ResourceProcessorConfig#maxConcurrentBatches()}. Default 8. */
        public Builder maxConcurrentBatches(int max) {
            this.maxConcurrentBatches = max;
            return this;
        }

        /** Sets every {@code buffer.*} option at once ({@code buffer.max-bytes} must be -1: operations have no size). */
        public Builder buffer(BufferLimits limits) {
            Objects.requireNonNull(limits, "limits");
            if (limits.maxBytes() != BufferLimits.DEFAULTS.maxBytes()) {
                throw new InvalidOptionException("buffer.max-bytes", limits.maxBytes(), "is not an option of a "
                        + "resource processor; limit the buffer with buffer.max-items");
            }
            bufferMaxItems = limits.maxItems();
            fullBehavior = limits.fullBehavior();
            blockTimeout = limits.blockTimeout();
            return this;
        }

        /** {@code buffer.max-items}. Default 10,000. */
        public Builder bufferMaxItems(int maxItems) {
            this.bufferMaxItems = maxItems;
            return this;
        }

        /** {@code buffer.full-behavior}: {@code block} or {@code reject}. Default {@link FullBehavior#BLOCK}. */
        public Builder fullBehavior(FullBehavior behavior) {
            this.fullBehavior = behavior;
            return this;
        }

        /** {@code buffer.block-timeout}: how long a blocked {@code run} waits for room. Default 10 s. */
        public Builder blockTimeout(Duration timeout) {
            this.blockTimeout = timeout;
            return this;
        }

        /** See {@link ResourceProcessorConfig#drainTimeout()}. Default 30 s. */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = timeout;
            return this;
        }

        /**
         * Validates the options and builds the configuration.
         *
         * @return the configuration
         * @throws InvalidOptionException naming the first invalid option, its value and the fix
         */
        public ResourceProcessorConfig build() {
            check(minDuration != null && !minDuration.isNegative() && !minDuration.isZero(), "min-duration",
                    minDuration, "must be positive, such as 100ms");
            boolean defaultMax = maxDuration == null;
            Duration max = defaultMax ? minDuration.multipliedBy(2) : maxDuration;
            if (max.compareTo(minDuration) <= 0) {
                throw new InvalidOptionException("max-duration", max, "must be longer than min-duration="
                        + minDuration + ": load, the operations and save run between the two. Raise max-duration "
                        + "or leave it unset for 2 x min-duration", defaultMax);
            }
            check(maxConcurrentBatches >= 1, "max-concurrent-batches", maxConcurrentBatches,
                    "must be at least 1, such as " + DEFAULT_MAX_CONCURRENT_BATCHES);
            check(fullBehavior != FullBehavior.DROP_OLDEST, "buffer.full-behavior", "drop-oldest",
                    "is not supported by a resource processor (it could drop operations whose batch is being "
                            + "saved); use block or reject");
            BufferLimits buffer = new BufferLimits(bufferMaxItems, BufferLimits.DEFAULTS.maxBytes(), fullBehavior,
                    blockTimeout);
            check(drainTimeout != null && !drainTimeout.isNegative(), "drain-timeout", drainTimeout,
                    "must be zero or positive, such as 30s");
            return new ResourceProcessorConfig(this, max, buffer);
        }

        private static void check(boolean ok, String option, Object value, String problem) {
            if (!ok) {
                throw new InvalidOptionException(option, Objects.toString(value), problem);
            }
        }
    }
}
