package dev.batcher.durable;

import dev.batcher.InvalidOptionException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where a {@link DurableLog} keeps its files and how it forces them. Validated on construction; each
 * {@link InvalidOptionException} names the option as a property key relative to the instance
 * ({@code buffer.durable.*}).
 *
 * @param directory {@code buffer.durable.directory}: where the log's files live (created if missing); one open log
 *     per directory
 * @param fsync {@code buffer.durable.fsync}: {@link FsyncPolicy#ALWAYS} or {@link FsyncPolicy#INTERVAL}
 * @param fsyncInterval {@code buffer.durable.fsync-interval}: with {@code interval}, how long after the first
 *     unforced write the flusher forces the log (default 10 ms); with {@code always}, how long acknowledgements may
 *     wait to be forced
 * @param segmentBytes {@code buffer.durable.segment-bytes}: size of one segment file, from 4 KiB to 1 GiB (default
 *     64 MiB); a record (16 bytes of header plus the item) must fit in a segment with its 16-byte header
 * @param maxBytes {@code buffer.durable.max-bytes}: bytes the log's files may hold at most, at least two segments,
 *     or -1 for no limit (the default)
 * @param staging {@code buffer.durable.staging-directory}: a directory on tmpfs (such as {@code /dev/shm}) where
 *     appends are written first, or {@code null} to write the segment files on disk directly (the default). Appends
 *     then never wait for the disk's write-back: the flusher copies what each interval appended to the disk files and
 *     forces them. What is on tmpfs survives a crash of the process, not of the machine, which is what
 *     {@code interval} promises anyway
 */
public record DurableLogOptions(Path directory, FsyncPolicy fsync, Duration fsyncInterval, long segmentBytes,
        long maxBytes, Path staging) {

    /** Property key of {@link #directory()}. */
    public static final String DIRECTORY = "buffer.durable.directory";

    /** Property key of {@link #fsync()}. */
    public static final String FSYNC = "buffer.durable.fsync";

    /** Property key of {@link #fsyncInterval()}. */
    public static final String FSYNC_INTERVAL = "buffer.durable.fsync-interval";

    /** Property key of {@link #segmentBytes()}. */
    public static final String SEGMENT_BYTES = "buffer.durable.segment-bytes";

    /** Property key of {@link #maxBytes()}. */
    public static final String MAX_BYTES = "buffer.durable.max-bytes";

    /** Property key of {@link #staging()}. */
    public static final String STAGING = "buffer.durable.staging-directory";

    /** The default {@link #fsyncInterval()}: 10 ms. */
    public static final Duration DEFAULT_FSYNC_INTERVAL = Duration.ofMillis(10);

    /** The default {@link #segmentBytes()}: 64 MiB. */
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;

    /** The smallest {@link #segmentBytes()}: 4 KiB. */
    public static final long MIN_SEGMENT_BYTES = 4L << 10;

    /** The largest {@link #segmentBytes()}: 1 GiB (a segment is mapped into memory as one buffer). */
    public static final long MAX_SEGMENT_BYTES = 1L << 30;

    /** {@link #maxBytes()} for no limit. */
    public static final long UNLIMITED = -1;

    /** Validates the options. */
    public DurableLogOptions {
        if (directory == null) {
            throw new InvalidOptionException(DIRECTORY, null,
                    "must be set to a directory this instance alone writes to, such as /var/lib/app/batcher/orders");
        }
        if (fsync == null) {
            throw new InvalidOptionException(FSYNC, null, "must be always or interval");
        }
        if (fsyncInterval == null || fsyncInterval.isNegative() || fsyncInterval.isZero()) {
            throw new InvalidOptionException(FSYNC_INTERVAL, fsyncInterval, "must be positive, such as 10ms");
        }
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new InvalidOptionException(SEGMENT_BYTES, segmentBytes,
                    "must be from " + MIN_SEGMENT_BYTES + " (4KB) to " + MAX_SEGMENT_BYTES + " (1GB), such as 64MB");
        }
        if (maxBytes != UNLIMITED && (maxBytes < 2 * segmentBytes)) {
            throw new InvalidOptionException(MAX_BYTES, maxBytes, "must be at least two segments (2 x "
                    + SEGMENT_BYTES + " = " + 2 * segmentBytes + " bytes), or -1 for no limit");
        }
    }

    /**
     * The defaults for a directory: {@code interval} fsync every 10 ms, 64 MiB segments, no byte limit.
     *
     * @param directory {@code buffer.durable.directory}
     * @return the options
     */
    public static DurableLogOptions of(Path directory) {
        return new DurableLogOptions(directory, FsyncPolicy.INTERVAL, DEFAULT_FSYNC_INTERVAL, DEFAULT_SEGMENT_BYTES,
                UNLIMITED, null);
    }

    /** A copy with another {@link #directory()}. */
    public DurableLogOptions withDirectory(Path value) {
        return new DurableLogOptions(value, fsync, fsyncInterval, segmentBytes, maxBytes, staging);
    }

    /** A copy with another {@link #fsync()}. */
    public DurableLogOptions withFsync(FsyncPolicy value) {
        return new DurableLogOptions(directory, value, fsyncInterval, segmentBytes, maxBytes, staging);
    }

    /** A copy with another {@link #fsyncInterval()}. */
    public DurableLogOptions withFsyncInterval(Duration value) {
        return new DurableLogOptions(directory, fsync, value, segmentBytes, maxBytes, staging);
    }

    /** A copy with another {@link #segmentBytes()}. */
    public DurableLogOptions withSegmentBytes(long value) {
        return new DurableLogOptions(directory, fsync, fsyncInterval, value, maxBytes, staging);
    }

    /** A copy with another {@link #maxBytes()}. */
    public DurableLogOptions withMaxBytes(long value) {
        return new DurableLogOptions(directory, fsync, fsyncInterval, segmentBytes, value, staging);
    }

    /** A copy with another {@link #staging()} ({@code null}: none). */
    public DurableLogOptions withStaging(Path value) {
        return new DurableLogOptions(directory, fsync, fsyncInterval, segmentBytes, maxBytes, value);
    }
}
