package dev.batcher.autoconfigure;

import dev.batcher.dispatch.DispatcherConfig;
import dev.batcher.FullBehavior;
import dev.batcher.Ordering;
import dev.batcher.durable.FsyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.util.unit.DataSize;

/**
 * Options of one dispatcher: the shared {@code batcher.defaults.*} and each {@code batcher.dispatchers.<name>.*}. A
 * named dispatcher starts from {@code batcher.defaults} and overrides what it sets itself; what neither sets keeps the
 * engine's default ({@link DispatcherConfig}), which the field values here mirror for the IDE metadata. Names in
 * brackets are luci's equivalents.
 */
public class DispatcherProperties {

    /**
     * Items per batch at most: a batch is cut when it holds this many items [BatchItemsMax]. -1: no item limit,
     * batches are cut by max-batch-bytes and max-batch-age only.
     */
    private int maxBatchItems = 100;

    /**
     * Bytes per batch at most, such as 64KB: a batch is cut before it would exceed this size [BatchSizeMax]. Needs an
     * item sizer, set by a DispatcherCustomizer bean. Unset: no limit.
     */
    private DataSize maxBatchBytes;

    /** How long a partly filled batch waits for more items after its first one before it is sent [BatchAgeMax]. */
    private Duration maxBatchAge = Duration.ofMillis(100);

    /**
     * Batches sent in parallel at most [MaxLeases]. Default 4, or 1 with ordering 'fifo', which allows no other
     * value.
     */
    private int maxConcurrentSends = 4;

    /**
     * Order in which batches reach the sink: 'none' (parallel), 'fifo' (one at a time in submission order) or
     * 'per-key' (in order per key; needs a key extractor, set by a DispatcherCustomizer bean).
     */
    private Ordering ordering = Ordering.NONE;

    /** Send timeout: an attempt running longer counts as failed and its thread is interrupted. */
    private Duration sendTimeout = Duration.ofSeconds(30);

    private final Buffer buffer = new Buffer();

    private final RateLimit rateLimit = new RateLimit();

    private final Retry retry = new Retry();

    /** Items per batch at most. */
    public int getMaxBatchItems() {
        return this.maxBatchItems;
    }

    /** Sets the items per batch at most. */
    public void setMaxBatchItems(int maxBatchItems) {
        this.maxBatchItems = maxBatchItems;
    }

    /** Bytes per batch at most; {@code null}: no limit. */
    public DataSize getMaxBatchBytes() {
        return this.maxBatchBytes;
    }

    /** Sets the bytes per batch at most; {@code null}: no limit. */
    public void setMaxBatchBytes(DataSize maxBatchBytes) {
        this.maxBatchBytes = maxBatchBytes;
    }

    /** How long a partly filled batch waits before it is sent. */
    public Duration getMaxBatchAge() {
        return this.maxBatchAge;
    }

    /** Sets how long a partly filled batch waits before it is sent. */
    public void setMaxBatchAge(Duration maxBatchAge) {
        this.maxBatchAge = maxBatchAge;
    }

    /** Batches sent in parallel at most. */
    public int getMaxConcurrentSends() {
        return this.maxConcurrentSends;
    }

    /** Sets the batches sent in parallel at most. */
    public void setMaxConcurrentSends(int maxConcurrentSends) {
        this.maxConcurrentSends = maxConcurrentSends;
    }

    /** Order in which batches reach the sink. */
    public Ordering getOrdering() {
        return this.ordering;
    }

    /** Sets the order in which batches reach the sink. */
    public void setOrdering(Ordering ordering) {
        this.ordering = ordering;
    }

    /** Send timeout. */
    public Duration getSendTimeout() {
        return this.sendTimeout;
    }

    /** Sets the send timeout. */
    public void setSendTimeout(Duration sendTimeout) {
        this.sendTimeout = sendTimeout;
    }

    /** Buffer options. */
    public Buffer getBuffer() {
        return this.buffer;
    }

    /** Rate limit options. */
    public RateLimit getRateLimit() {
        return this.rateLimit;
    }

    /** Retry options. */
    public Retry getRetry() {
        return this.retry;
    }

    /** Buffer options: how much a dispatcher holds and what a submit does when it is full. */
    public static class Buffer {

        /** Items held at most, counting batches being sent or waiting for a retry. At least max-batch-items. */
        private int maxItems = 10000;

        /**
         * Bytes held at most, such as 8MB. Needs an item sizer, set by a DispatcherCustomizer bean. Unset: no limit.
         */
        private DataSize maxBytes;

        /**
         * What a submit does when the buffer is full: 'block' (wait up to block-timeout) [BlockNewItems],
         * 'drop-oldest' (drop the oldest waiting batch) [DropOldestBatch] or 'reject' (fail the submit at once).
         */
        private FullBehavior fullBehavior = FullBehavior.BLOCK;

        /** How long a submit waits for room with full-behavior 'block' before it fails. */
        private Duration blockTimeout = Duration.ofSeconds(10);

        private final Durable durable = new Durable();

        /** Durable buffer options: off unless buffer.durable.directory is set. */
        public Durable getDurable() {
            return this.durable;
        }

        /** Items held at most. */
        public int getMaxItems() {
            return this.maxItems;
        }

        /** Sets the items held at most. */
        public void setMaxItems(int maxItems) {
            this.maxItems = maxItems;
        }

        /** Bytes held at most; {@code null}: no limit. */
        public DataSize getMaxBytes() {
            return this.maxBytes;
        }

        /** Sets the bytes held at most; {@code null}: no limit. */
        public void setMaxBytes(DataSize maxBytes) {
            this.maxBytes = maxBytes;
        }

        /** What a submit does when the buffer is full. */
        public FullBehavior getFullBehavior() {
            return this.fullBehavior;
        }

        /** Sets what a submit does when the buffer is full. */
        public void setFullBehavior(FullBehavior fullBehavior) {
            this.fullBehavior = fullBehavior;
        }

        /** How long a submit waits for room. */
        public Duration getBlockTimeout() {
            return this.blockTimeout;
        }

        /** Sets how long a submit waits for room. */
        public void setBlockTimeout(Duration blockTimeout) {
            this.blockTimeout = blockTimeout;
        }
    }

    /**
     * Durable buffer options: with a directory, every accepted item is written to a log on disk before submit or
     * enqueue returns, acknowledged once sent or dropped for good, and what a crash or a stop left is replayed, in
     * order, before new items when the application starts again on the same directory. Items are stored as JSON of
     * the sink's item type (the application's Jackson JsonMapper). See docs/durable-buffer.md.
     */
    public static class Durable {

        /**
         * Directory of the dispatcher's log files, such as /var/lib/app/batcher/orders; created if missing. Setting it
         * turns the durable buffer on. One running instance per directory: a second one fails at startup. Under
         * batcher.defaults it is a parent directory: each dispatcher uses its own sub-directory named after it. Unset:
         * the buffer is in memory only.
         */
        private Path directory;

        /**
         * When appended items are forced to the storage device: 'always' (submit and enqueue return once the item is
         * on the device; survives a power cut) or 'interval' (they return once the item is in the operating system's
         * page cache, which survives a crash of the process; a background fsync every fsync-interval covers a power
         * cut up to that interval).
         */
        private FsyncPolicy fsync = FsyncPolicy.INTERVAL;

        /** With fsync 'interval': how long after the first unforced write the log is forced to the device. */
        private Duration fsyncInterval = Duration.ofMillis(10);

        /** Size of each segment file of the log, from 4KB to 1GB; fully acknowledged segments are deleted. */
        private DataSize segmentBytes = DataSize.ofMegabytes(64);

        /**
         * Disk space the log's files take at most, at least two segments, such as 1GB; beyond it a submit does what
         * buffer.full-behavior says. Unset: no limit but the file system's free space.
         */
        private DataSize maxBytes;

        /**
         * A directory on tmpfs, such as /dev/shm, where appends are written first (they survive a crash of the
         * process there); the flusher copies them to the log's directory and forces them every fsync-interval, so
         * appends never wait for the disk's write-back. It needs RAM for two segments. Unset: appends are written to
         * the log's files directly.
         */
        private Path stagingDirectory;

        /** Directory of the log files; {@code null}: in memory only. */
        public Path getDirectory() {
            return this.directory;
        }

        /** Sets the directory of the log files; {@code null}: in memory only. */
        public void setDirectory(Path directory) {
            this.directory = directory;
        }

        /** When appended items are forced to the storage device. */
        public FsyncPolicy getFsync() {
            return this.fsync;
        }

        /** Sets when appended items are forced to the storage device. */
        public void setFsync(FsyncPolicy fsync) {
            this.fsync = fsync;
        }

        /** How long after the first unforced write the log is forced, with fsync 'interval'. */
        public Duration getFsyncInterval() {
            return this.fsyncInterval;
        }

        /** Sets how long after the first unforced write the log is forced, with fsync 'interval'. */
        public void setFsyncInterval(Duration fsyncInterval) {
            this.fsyncInterval = fsyncInterval;
        }

        /** Size of each segment file. */
        public DataSize getSegmentBytes() {
            return this.segmentBytes;
        }

        /** Sets the size of each segment file. */
        public void setSegmentBytes(DataSize segmentBytes) {
            this.segmentBytes = segmentBytes;
        }

        /** Disk space the log takes at most; {@code null}: no limit. */
        public DataSize getMaxBytes() {
            return this.maxBytes;
        }

        /** Sets the disk space the log takes at most; {@code null}: no limit. */
        public void setMaxBytes(DataSize maxBytes) {
            this.maxBytes = maxBytes;
        }

        /** Directory on tmpfs where appends are written first; {@code null}: none. */
        public Path getStagingDirectory() {
            return this.stagingDirectory;
        }

        /** Sets the directory on tmpfs where appends are written first; {@code null}: none. */
        public void setStagingDirectory(Path stagingDirectory) {
            this.stagingDirectory = stagingDirectory;
        }
    }

    /** Rate limit options [QPSLimit, MinQPS]. */
    public static class RateLimit {

        /** Batches sent per second at most, across all concurrent sends [QPSLimit]. 0: no limit. */
        private double batchesPerSecond = 0;

        /** Sends allowed at once after a quiet period, with batches-per-second. */
        private int burst = 1;

        /** Empty heartbeat batches keep at least this send rate [MinQPS]. 0: no heartbeats. */
        private double minBatchesPerSecond = 0;

        /** Batches sent per second at most; 0: no limit. */
        public double getBatchesPerSecond() {
            return this.batchesPerSecond;
        }

        /** Sets the batches sent per second at most; 0: no limit. */
        public void setBatchesPerSecond(double batchesPerSecond) {
            this.batchesPerSecond = batchesPerSecond;
        }

        /** Sends allowed at once after a quiet period. */
        public int getBurst() {
            return this.burst;
        }

        /** Sets the sends allowed at once after a quiet period. */
        public void setBurst(int burst) {
            this.burst = burst;
        }

        /** Minimum send rate kept by heartbeat batches; 0: off. */
        public double getMinBatchesPerSecond() {
            return this.minBatchesPerSecond;
        }

        /** Sets the minimum send rate kept by heartbeat batches; 0: off. */
        public void setMinBatchesPerSecond(double minBatchesPerSecond) {
            this.minBatchesPerSecond = minBatchesPerSecond;
        }
    }

    /**
     * Retry options of a failed batch, exponential back-off [Retry]. A RetryPolicy bean named
     * '<name>RetryPolicy' or a BackOffPolicy bean named '<name>BackOffPolicy' replaces them for that dispatcher.
     */
    public static class Retry {

        /** Attempts per batch including the first; 1: no retry; -1: retry until sent. */
        private int maxAttempts = -1;

        /** Wait before the first retry. */
        private Duration initialBackoff = Duration.ofMillis(200);

        /** Each wait is the previous one times this. At least 1. */
        private double multiplier = 1.2;

        /** Longest wait between attempts. */
        private Duration maxBackoff = Duration.ofSeconds(60);

        /** Attempts per batch including the first; -1: unlimited. */
        public int getMaxAttempts() {
            return this.maxAttempts;
        }

        /** Sets the attempts per batch including the first; -1: unlimited. */
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
}
