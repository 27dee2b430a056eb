package dev.batcher.autoconfigure;

import dev.batcher.FullBehavior;
import dev.batcher.resource.ResourceProcessorConfig;
import java.time.Duration;

/**
 * Options of one resource processor (elgopher/batch), {@code batcher.processors.<name>.*}. What the configuration
 * does not set keeps the engine's default ({@link ResourceProcessorConfig}), which the field values here mirror for the
 * IDE metadata (as literals, which the configuration processor can read; a test holds them equal to the engine's).
 * elgopher's names are in brackets.
 */
public class ResourceProcessorProperties {

    /**
     * How long a batch collects operations of its key after its first operation arrived [MinDuration]; then it is
     * loaded once, every operation runs on the resource, and it is saved once.
     */
    private Duration minDuration = Duration.ofMillis(100);

    /**
     * A batch's deadline, counted from its first operation: load, the operations and save must be done by then
     * [MaxDuration]. Must be longer than min-duration. Unset: 2 x min-duration.
     */
    private Duration maxDuration;

    /**
     * Batches processed at once at most, each on its own thread; batches of one key never run at the same time, and
     * keys take turns, so a hot key does not starve the others.
     */
    private int maxConcurrentBatches = 8;

    /**
     * How long closing the processor waits for its pending batches to be saved. Unset: batcher.shutdown.timeout. On
     * application shutdown every instance drains within batcher.shutdown.timeout.
     */
    private Duration drainTimeout;

    private final Buffer buffer = new Buffer();

    /** How long a batch collects operations of its key. */
    public Duration getMinDuration() {
        return this.minDuration;
    }

    /** Sets how long a batch collects operations of its key. */
    public void setMinDuration(Duration minDuration) {
        this.minDuration = minDuration;
    }

    /** A batch's deadline after its first operation; {@code null}: 2 x min-duration. */
    public Duration getMaxDuration() {
        return this.maxDuration;
    }

    /** Sets a batch's deadline after its first operation. */
    public void setMaxDuration(Duration maxDuration) {
        this.maxDuration = maxDuration;
    }

    /** Batches processed at once at most. */
    public int getMaxConcurrentBatches() {
        return this.maxConcurrentBatches;
    }

    /** Sets the batches processed at once at most. */
    public void setMaxConcurrentBatches(int maxConcurrentBatches) {
        this.maxConcurrentBatches = maxConcurrentBatches;
    }

    /** How long closing waits for pending batches; {@code null}: batcher.shutdown.timeout. */
    public Duration getDrainTimeout() {
        return this.drainTimeout;
    }

    /** Sets how long closing waits for pending batches. */
    public void setDrainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

    /** Buffer options. */
    public Buffer getBuffer() {
        return this.buffer;
    }

    /** Buffer options: how many operations a processor holds and what a run does when it is full. */
    public static class Buffer {

        /** Operations held at most, from run until their batch ended. */
        private int maxItems = 10000;

        /**
         * What a run does when the buffer is full: 'block' (wait up to block-timeout) or 'reject' (fail at once with
         * a BufferFullException). 'drop-oldest' is refused: it could drop operations whose batch is being saved.
         */
        private FullBehavior fullBehavior = FullBehavior.BLOCK;

        /** How long a run waits for room with full-behavior 'block' before it fails. */
        private Duration blockTimeout = Duration.ofSeconds(10);

        /** Operations held at most. */
        public int getMaxItems() {
            return this.maxItems;
        }

        /** Sets the operations held at most. */
        public void setMaxItems(int maxItems) {
            this.maxItems = maxItems;
        }

        /** What a run does when the buffer is full. */
        public FullBehavior getFullBehavior() {
            return this.fullBehavior;
        }

        /** Sets what a run does when the buffer is full. */
        public void setFullBehavior(FullBehavior fullBehavior) {
            this.fullBehavior = fullBehavior;
        }

        /** How long a run waits for room. */
        public Duration getBlockTimeout() {
            return this.blockTimeout;
        }

        /** Sets how long a run waits for room. */
        public void setBlockTimeout(Duration blockTimeout) {
            this.blockTimeout = blockTimeout;
        }
    }
}
