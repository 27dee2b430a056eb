package dev.batcher.durable;

import dev.batcher.InvalidOptionException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * A crash-safe, append-only log of items (bytes) in segment files: the storage of the durable buffer.
 *
 * <ul>
 *   <li>{@link #append} / {@link #appendAll} give each item a position (a sequence number, increasing across
 *       reopens) once its record is in the operating system's page cache, so it survives a crash of the process;
 *       with {@link FsyncPolicy#ALWAYS} only once it is on the storage device (group commit).
 *       {@link #awaitDurable}, {@link #whenDurable} and {@link #durablePosition} tell when a position is on the
 *       device under either policy.</li>
 *   <li>{@link #ack(long...)} acknowledges positions in any order; a segment whose every record is acknowledged is
 *       deleted (reclaim). Acknowledgements are persisted as ranges in a checksummed file per segment, with the
 *       next fsync.</li>
 *   <li>{@link #open} locks the directory, checks every record's checksum, cuts off a torn or corrupt tail (logged,
 *       counted, reported to the {@link DurableLogListener} and listed by {@link #truncations()}), and
 *       {@link #replay} then delivers every record written before the open and not acknowledged, in append order.</li>
 *   <li>{@code buffer.durable.max-bytes} bounds the files: an append that needs a segment beyond it throws
 *       {@link DurableLogFullException} and writes nothing.</li>
 * </ul>
 *
 * <p>Thread-safe. Appends are serialized by one lock held only to copy the record into the mapped segment (no system
 * call but a window mapped once per fsync of 64 KiB or more, or per 4 MiB appended); acknowledgements take another
 * lock and only mark positions in memory (the flusher writes them to the files with its fsync); fsyncs run outside
 * both.
 * See {@code docs/durable-buffer.md}.
 */
public final class DurableLog implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DurableLog.class.getName());

    /** Name of the lock file in the directory. */
    public static final String LOCK_FILE = "lock";

    /**
     * Directories locked by this JVM. Checked before the lock file is opened: on POSIX systems closing any channel
     * of a file drops every lock the process holds on it, so a second open in this JVM must not even open the file.
     */
    private static final Set<Path> LOCKED = ConcurrentHashMap.newKeySet();

    private final DurableLogOptions options;
    private final DurableLogListener listener;
    private final Path directory;
    /**
     * Where appends are written first when {@link DurableLogOptions#staging()} is set: a subdirectory of it for this
     * log, on tmpfs. {@code null} when segments are mapped from their disk files.
     */
    private final Path staging;
    /** Where the prepared segment's file is: the staging directory or the log's. Guarded by appendLock. */
    private Path preparedDirectory;
    private final AtomicBoolean stagingFullReported = new AtomicBoolean();
    private final int segmentBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;

    /** Live segments by first position. Added under the append lock, removed under the ack lock. */
    /** The next segment, allocated and with every page touched ahead of time by the preparer thread. */
    static final String PREPARED_FILE = "next.seg.tmp";
    /**
     * A wholly acknowledged segment file kept for reuse as the next segment instead of being deleted: its pages are
     * already allocated (and in the page cache), so appends into it take no page faults. It is zeroed before reuse;
     * should an old record survive anyway (a power cut before the zeros reached the device), its checksum, which
     * covers the position it would have now, fails: the scan at open cuts the file there as a torn tail.
     */
    static final String RECYCLED_FILE = "recycled.seg.tmp";

    /**
     * Bytes of the window through which appends write into a segment mapped from its disk file. Each sync of at least
     * {@link #MOVE_WINDOW_BYTES} moves the window to the append offset and unmaps the old one before it forces the
     * file, so the pages it writes back are no longer mapped. Writing back a mapped page write-protects it, a TLB
     * shootdown (an interrupt on every core running the process) per 4 KiB page: with the whole segment mapped, that
     * took 60-80% of the flusher's core at 16-byte records and slowed the appenders it interrupted; unmapped, 15-18%
     * (docs/durable-buffer.md).
     */
    static final int WINDOW_BYTES = 4 << 20;

    /**
     * A sync moves the window only when it forces at least this many bytes of the active segment: for a few pages
     * (fsync {@code always}, a light load) the TLB shootdowns cost less than mapping a window, unmapping the old one
     * and faulting pages in again, and the pages {@link #faultIn} dirties would be written by the next fsync.
     */
    static final int MOVE_WINDOW_BYTES = 64 << 10;

    /** An int of a mapped window, for the compare-and-set that faults a page in without changing it. */
    private static final java.lang.invoke.VarHandle WINDOW_INT =
            java.lang.invoke.MethodHandles.byteBufferViewVarHandle(int[].class, java.nio.ByteOrder.nativeOrder());
    private static final int PAGE_BYTES = 4096;

    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();

    private final ReentrantLock appendLock = new ReentrantLock();
    private final ReentrantLock syncLock = new ReentrantLock();
    private final Object ackLock = new Object();

    // Guarded by appendLock.
    private Segment active;
    private long nextPosition;
    private final List<Segment> sealedUnforced = new ArrayList<>();
    /** Windows of segments mapped from their disk files that appends left; the next sync unmaps them. */
    private final List<MappedByteBuffer> retiredWindows = new ArrayList<>();
    private boolean directoryDirty;
    private final CRC32C appendCrc = new CRC32C();
    /** The position and length a record's checksum covers. */
    private final ByteBuffer crcScratch = ByteBuffer.allocate(Long.BYTES + Integer.BYTES);
    private boolean closed;
    private CompletableFuture<MappedByteBuffer> prepared;
    /**
     * The next segment is still to be prepared: when a reclaimed segment is recycled, or fresh once the active one is
     * half full ({@link #prepareIfDue}).
     */
    private boolean prepareWanted;

    // Guarded by ackLock.
    private ByteBuffer ackBuffer = ByteBuffer.allocate(Segment.ACK_HEADER_BYTES + 128 * Long.BYTES);
    private final CRC32C ackCrc = new CRC32C();
    /** Segments with acknowledged ranges not written yet. */
    private final List<Segment> dirtyAcks = new ArrayList<>();
    /** Segments whose acknowledgement file was written and not forced yet. */
    private final List<Segment> unforcedAcks = new ArrayList<>();

    /** {@link #lastAppended}, for its release writes on the append path. */
    private static final java.lang.invoke.VarHandle LAST_APPENDED;

    static {
        try {
            LAST_APPENDED = java.lang.invoke.MethodHandles.lookup().findVarHandle(DurableLog.class, "lastAppended",
                    long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The last position written, published after the record's bytes: written with release semantics under appendLock
     * (a plain store on x86), read by any thread.
     */
    private volatile long lastAppended;
    /** Every position up to this one is on the storage device. */
    private volatile long durable;
    /** Positions below this one were on disk at the open: what {@link #replay} delivers. */
    private final long replayEnd;
    private final List<TruncatedTail> truncations;
    private volatile boolean open = true;

    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>();
    private final ScheduledThreadPoolExecutor flusher;
    private final ThreadPoolExecutor preparer;
    /** {@link #recycleState}: no reclaimed segment waits for reuse. */
    private static final int NO_RECYCLED = 0;
    /** {@link #recycleState}: a reclaimer is moving a segment to {@link #RECYCLED_FILE}; not usable yet. */
    private static final int RECYCLED_MOVING = 1;
    /** {@link #recycleState}: {@link #RECYCLED_FILE} holds a reclaimed segment (still counted in bytesOnDisk). */
    private static final int RECYCLED_READY = 2;
    /**
     * Whether {@link #RECYCLED_FILE} holds a reclaimed segment waiting for reuse. Three states, not a flag: a
     * reclaimer claims the slot before it moves the file and marks it ready after, so that an appender never takes a
     * file that is not there yet (with a flag set before the move, preparing or rolling onto the recycled segment
     * failed with NoSuchFileException, and the appender then created a fresh segment itself, or failed the append).
     */
    private final java.util.concurrent.atomic.AtomicInteger recycleState = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicBoolean flushArmed = new AtomicBoolean();

    private final AtomicLong bytesOnDisk = new AtomicLong();
    // Adders, not atomics: concurrent appenders would otherwise bounce one cache line between them on every append.
    private final java.util.concurrent.atomic.LongAdder unacknowledged = new java.util.concurrent.atomic.LongAdder();
    /** Records appended since the open; guarded by appendLock (no atomic on the append path). */
    private long appendedCount;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong fsyncs = new AtomicLong();
    private final AtomicLong fsyncNanos = new AtomicLong();
    private final AtomicLong fsyncNanosMax = new AtomicLong();

    private record Waiter(long position, CompletableFuture<Long> future) implements Comparable<Waiter> {
        @Override
        public int compareTo(Waiter o) {
            return Long.compare(position, o.position);
        }
    }

    /**
     * Opens (or creates) the log in {@code options.directory()} with no listener. See
     * {@link #open(DurableLogOptions, DurableLogListener)}.
     *
     * @param options where and how
     * @return the open log
     */
    public static DurableLog open(DurableLogOptions options) {
        return open(options, DurableLogListener.NONE);
    }

    /**
     * Opens (or creates) the log in {@code options.directory()}: takes the directory's lock file, checks every
     * segment and acknowledgement file, truncates a torn or corrupt tail (reported to {@code listener}, logged and
     * counted), deletes fully acknowledged segments and starts a new segment for appends. Call {@link #replay} next
     * to get the records left unacknowledged.
     *
     * @param options where and how
     * @param listener told about truncated tails and fsyncs
     * @return the open log
     * @throws DurableLogLockedException if another open log, in this process or another one, holds the directory
     * @throws InvalidOptionException naming {@code buffer.durable.directory} if it is not a writable directory
     * @throws DurableLogException if the files cannot be read or written
     */
    public static DurableLog open(DurableLogOptions options, DurableLogListener listener) {
        return new DurableLog(options, listener);
    }

    private DurableLog(DurableLogOptions options, DurableLogListener listener) {
        this.options = Objects.requireNonNull(options, "options");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.segmentBytes = (int) options.segmentBytes();
        this.directory = prepareDirectory(options.directory().toAbsolutePath().normalize());
        Path lockFile = directory.resolve(LOCK_FILE);
        if (!LOCKED.add(directory)) {
            throw locked("held by this process, pid " + ProcessHandle.current().pid());
        }
        FileChannel channel = null;
        FileLock acquired = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                acquired = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                acquired = null;
            }
            if (acquired == null) {
                String holder = readHolder(channel);
                channel.close();
                LOCKED.remove(directory);
                throw locked(holder);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n")
                    .getBytes(StandardCharsets.US_ASCII)), 0);
        } catch (IOException e) {
            closeQuietly(channel);
            LOCKED.remove(directory);
            throw new DurableLogException(directory, "Cannot lock " + lockFile + ": " + e, e);
        }
        this.lockChannel = channel;
        this.lock = acquired;
        List<TruncatedTail> found = new ArrayList<>();
        this.staging = options.staging() == null ? null : stagingDirectory(options.staging(), directory);
        try {
            if (staging != null) {
                completeFromStaging();
            }
            this.replayEnd = recover(found);
            this.truncations = Collections.unmodifiableList(found);
            this.nextPosition = replayEnd;
            this.lastAppended = replayEnd - 1;
            this.durable = replayEnd - 1;
            this.active = createSegment(replayEnd);
            forceDirectory();
        } catch (IOException | RuntimeException e) {
            releaseLock();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new DurableLogException(directory, "Cannot open the durable buffer in " + directory + ": " + e, e);
        }
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "batcher-durable-flush[" + directory.getFileName() + "]");
            t.setDaemon(true);
            return t;
        });
        executor.setKeepAliveTime(1, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.flusher = executor;
        ThreadPoolExecutor preparing = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "batcher-durable-prepare[" + directory.getFileName() + "]");
                    t.setDaemon(true);
                    return t;
                });
        preparing.allowCoreThreadTimeOut(true);
        this.preparer = preparing;
        appendLock.lock();
        try {
            prepareNext();
        } finally {
            appendLock.unlock();
        }
    }

    private DurableLogLockedException locked(String holder) {
        return new DurableLogLockedException(directory, "The durable buffer directory " + directory
                + " is in use by another open instance (" + holder + "): two instances must not share "
                + DurableLogOptions.DIRECTORY + ". Stop or close the other instance first, or give this one a"
                + " directory of its own.");
    }

    private static Path prepareDirectory(Path directory) {
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new InvalidOptionException(DurableLogOptions.DIRECTORY, directory,
                    "is a file, not a directory: point it at a directory (it is created if missing)");
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new InvalidOptionException(DurableLogOptions.DIRECTORY, directory,
                    "cannot be created (" + e + "): choose a directory this process can write to");
        }
        if (!Files.isWritable(directory)) {
            throw new InvalidOptionException(DurableLogOptions.DIRECTORY, directory,
                    "is not writable by this process: fix its permissions or choose another directory");
        }
        try {
            return directory.toRealPath();
        } catch (IOException e) {
            throw new InvalidOptionException(DurableLogOptions.DIRECTORY, directory,
                    "cannot be resolved (" + e + "): choose another directory");
        }
    }

    private static String readHolder(FileChannel channel) {
        try {
            ByteBuffer b = ByteBuffer.allocate(64);
            int n = channel.read(b, 0);
            String text = n > 0 ? new String(b.array(), 0, n, StandardCharsets.US_ASCII).trim() : "";
            return text.isEmpty() ? "its lock file is held by another process" : "held by process " + text;
        } catch (IOException e) {
            return "its lock file is held";
        }
    }

    /** This log's subdirectory of the staging directory, named after the log's directory, created if needed. */
    private static Path stagingDirectory(Path staging, Path directory) {
        Path dir = staging.toAbsolutePath().normalize().resolve("batcher-"
                + Integer.toHexString(directory.toString().hashCode()) + "-" + directory.getFileName());
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DurableLogException(directory, "Cannot create the staging directory " + dir + " ("
                    + DurableLogOptions.STAGING + "): " + e, e);
        }
    }

    /**
     * After a crash of the process (not of the machine): a staged segment can hold records its disk copy does not
     * have yet. Completes each disk file from its staged copy when that has more valid records, forces it, and
     * deletes the staged files; the recovery then reads the disk files only.
     */
    private void completeFromStaging() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(staging)) {
            for (Path staged : files) {
                String name = staged.getFileName().toString();
                long first = Segment.parse(name, Segment.SEGMENT_SUFFIX);
                if (first >= 0) {
                    Path disk = directory.resolve(name);
                    long stagedEnd = Segment.scan(staged, first, Long.MAX_VALUE, null).validEnd();
                    long diskEnd = Files.exists(disk) ? Segment.scan(disk, first, Long.MAX_VALUE, null).validEnd() : -1;
                    if (stagedEnd > diskEnd) {
                        try (FileChannel in = FileChannel.open(staged, StandardOpenOption.READ);
                                FileChannel out = FileChannel.open(disk, StandardOpenOption.CREATE,
                                        StandardOpenOption.WRITE)) {
                            long copied = 0;
                            while (copied < stagedEnd) {
                                copied += in.transferTo(copied, stagedEnd - copied, out);
                            }
                            out.truncate(stagedEnd);
                            out.force(false);
                        }
                        LOG.log(Level.INFO, "Durable buffer " + directory + ": completed " + disk + " from its"
                                + " staged copy (" + (stagedEnd - Math.max(diskEnd, 0)) + " bytes)");
                    }
                }
                Files.delete(staged);
            }
        }
    }

    /** Checks the files, truncates bad tails, loads acknowledgements; returns the next position. */
    private long recover(List<TruncatedTail> found) throws IOException {
        TreeMap<Long, Path> segmentFiles = new TreeMap<>();
        Map<Long, Path> ackFiles = new HashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                long first = Segment.parse(name, Segment.SEGMENT_SUFFIX);
                if (first >= 0) {
                    segmentFiles.put(first, file);
                }
                long acked = Segment.parse(name, Segment.ACK_SUFFIX);
                if (acked >= 0) {
                    ackFiles.put(acked, file);
                }
            }
        }
        long next = 0;
        for (Map.Entry<Long, Path> entry : segmentFiles.entrySet()) {
            long first = entry.getKey();
            Segment segment = new Segment(directory, first);
            Segment.Scan scan = Segment.scan(segment.file, first, Long.MAX_VALUE, null);
            if (scan.problem() != null) {
                truncated(found, segment.file, scan);
            }
            if (scan.validEnd() < scan.fileSize()) {
                truncate(segment.file, scan.validEnd());
            }
            next = Math.max(next, first + scan.records());
            Path ackFile = ackFiles.remove(first);
            if (scan.records() == 0) {
                Files.deleteIfExists(segment.file);
                if (ackFile != null) {
                    Files.deleteIfExists(ackFile);
                }
                continue;
            }
            segment.count = (int) scan.records();
            segment.fileBytes = scan.validEnd();
            segment.sealed = true;
            if (ackFile != null) {
                Segment.Scan acks = Segment.scanAcks(ackFile, (from, length) -> {
                    long start = Math.max(from, first);
                    long end = Math.min(from + length, first + segment.count);
                    if (start < end) {
                        segment.acknowledge((int) (start - first), (int) (end - first), false);
                    }
                });
                if (acks.problem() != null) {
                    truncated(found, ackFile, acks);
                    truncate(ackFile, acks.validEnd());
                }
                segment.ackBytes = acks.validEnd();
            }
            if (segment.fullyAcknowledged()) {
                Files.deleteIfExists(segment.file);
                Files.deleteIfExists(segment.ackFile);
                continue;
            }
            // What survived a process crash may still be only in the page cache: force it before calling it durable.
            force(segment.file);
            if (ackFile != null) {
                force(ackFile);
            }
            segments.put(first, segment);
            bytesOnDisk.addAndGet(segment.fileBytes + segment.ackBytes);
            unacknowledged.add(segment.count - segment.ackedCount);
        }
        for (Path orphan : ackFiles.values()) {
            Files.deleteIfExists(orphan);
        }
        Files.deleteIfExists(directory.resolve(PREPARED_FILE));
        Files.deleteIfExists(directory.resolve(RECYCLED_FILE));
        return next;
    }

    private void truncated(List<TruncatedTail> found, Path file, Segment.Scan scan) {
        TruncatedTail tail = new TruncatedTail(file, scan.validEnd(), scan.fileSize() - scan.validEnd(),
                scan.records(), scan.problem());
        found.add(tail);
        LOG.log(Level.WARNING, "Durable buffer " + directory + ": " + tail
                + "; every record before it is kept and replayed");
        try {
            listener.onTruncated(tail);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Durable buffer " + directory + ": the listener failed on a truncated tail", e);
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
            channel.force(true);
        }
    }

    private static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private void forceDirectory() {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory; the files' own fsyncs still hold.
            LOG.log(Level.DEBUG, "cannot fsync directory " + directory, e);
        }
    }

    // ---------------------------------------------------------------------------------------------------- append

    /**
     * Appends one item. Returns once the record is in the page cache (survives a crash of the process); with
     * {@link FsyncPolicy#ALWAYS} once it is on the storage device.
     *
     * @param item the bytes (copied; the array may be reused after the call)
     * @return the item's position: greater than every position returned before, in this process or an earlier one
     * @throws IllegalArgumentException if the item does not fit in a segment
     * @throws DurableLogFullException if the log needs a new segment and is at {@code buffer.durable.max-bytes}
     * @throws IllegalStateException if the log is closed
     * @throws DurableLogException if the files cannot be written or forced
     */
    public long append(byte[] item) {
        checkItem(item);
        long position;
        appendLock.lock();
        try {
            ensureOpen();
            if (active.writeOffset + Segment.RECORD_HEADER_BYTES + item.length > segmentBytes) {
                roll();
            }
            position = write(item);
            appendedCount++;
            LAST_APPENDED.setRelease(this, position);
            if (prepareWanted) {
                prepareIfDue();
            }
        } finally {
            appendLock.unlock();
        }
        afterAppend(position);
        return position;
    }

    /**
     * Appends items with one lock acquisition (and, with {@link FsyncPolicy#ALWAYS}, one fsync). Their positions are
     * consecutive: the returned one, then one more for each next item. All or nothing: when the log is full nothing
     * is written.
     *
     * @param items the items, in order (copied)
     * @return the position of the first item; the next position if {@code items} is empty
     * @throws IllegalArgumentException if an item does not fit in a segment
     * @throws DurableLogFullException if the items need segments beyond {@code buffer.durable.max-bytes}
     * @throws IllegalStateException if the log is closed
     * @throws DurableLogException if the files cannot be written or forced
     */
    public long appendAll(List<byte[]> items) {
        for (byte[] item : items) {
            checkItem(item);
        }
        long first;
        long last;
        appendLock.lock();
        try {
            ensureOpen();
            first = nextPosition;
            if (items.isEmpty()) {
                return first;
            }
            long offset = active.writeOffset;
            int newSegments = 0;
            for (byte[] item : items) {
                int recordBytes = Segment.RECORD_HEADER_BYTES + item.length;
                if (offset + recordBytes > segmentBytes) {
                    newSegments++;
                    offset = Segment.HEADER_BYTES;
                }
                offset += recordBytes;
            }
            checkRoom(newSegments);
            last = first - 1;
            for (byte[] item : items) {
                if (active.writeOffset + Segment.RECORD_HEADER_BYTES + item.length > segmentBytes) {
                    roll();
                }
                last = write(item);
            }
            appendedCount += items.size();
            LAST_APPENDED.setRelease(this, last);
            if (prepareWanted) {
                prepareIfDue();
            }
        } finally {
            appendLock.unlock();
        }
        afterAppend(last);
        return first;
    }

    private void checkItem(byte[] item) {
        Objects.requireNonNull(item, "item");
        if ((long) item.length + Segment.RECORD_HEADER_BYTES + Segment.HEADER_BYTES > segmentBytes) {
            throw new IllegalArgumentException("An item of " + item.length + " bytes does not fit in a segment of "
                    + segmentBytes + " bytes (" + DurableLogOptions.SEGMENT_BYTES + ", with 24 bytes of headers):"
                    + " raise " + DurableLogOptions.SEGMENT_BYTES + " or send smaller items");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("The durable buffer in " + directory + " is closed");
        }
    }

    /** Copies one record into the active segment. Holds appendLock; the record fits. */
    private long write(byte[] item) {
        Segment segment = active;
        MappedByteBuffer map = segment.map;
        int offset = segment.writeOffset;
        int length = item.length;
        int recordBytes = Segment.RECORD_HEADER_BYTES + length;
        if (map == null || offset + recordBytes > segment.mapOffset + map.capacity()) {
            map = moveWindow(segment, offset, recordBytes);
        }
        int at = offset - segment.mapOffset;
        long position = nextPosition;
        map.putInt(at, length);
        map.putInt(at + 4, Segment.recordChecksum(appendCrc, crcScratch, position, item));
        map.put(at + Segment.RECORD_HEADER_BYTES, item);
        segment.writeOffset = offset + recordBytes;
        Segment.COUNT.setRelease(segment, segment.count + 1); // one writer: no fence on the append path
        nextPosition = position + 1;
        return position;
    }

    /**
     * Maps a window of a segment mapped from its disk file (not a staged one) from {@code from}: {@link #WINDOW_BYTES},
     * or {@code atLeast} if more, up to the segment's end. The window it replaces is retired: the next sync unmaps it.
     * Holds appendLock.
     */
    private MappedByteBuffer moveWindow(Segment segment, int from, int atLeast) {
        int size = Math.min(segmentBytes - from, Math.max(WINDOW_BYTES, atLeast));
        MappedByteBuffer window;
        try {
            window = segment.channel.map(FileChannel.MapMode.READ_WRITE, from, size);
        } catch (IOException e) {
            throw new DurableLogException(directory, "Cannot map " + segment.file + " from byte " + from + ": " + e, e);
        }
        if (segment.map != null) {
            retiredWindows.add(segment.map);
        }
        segment.map = window;
        segment.mapOffset = from;
        return window;
    }

    /** Seals the active segment and starts the next one. Holds appendLock. */
    private void roll() {
        Segment old = active;
        Segment next = null;
        try {
            MappedByteBuffer ready = takePrepared();
            if (ready == null && recycleState.get() == RECYCLED_READY) {
                ready = recycle(); // a segment was reclaimed since the last roll: reuse it, no new space needed
            }
            if (ready != null) {
                Segment segment = new Segment(directory, nextPosition);
                if (staging != null && staging.equals(preparedDirectory)) {
                    Path staged = staging.resolve(segment.file.getFileName());
                    Files.move(staging.resolve(PREPARED_FILE), staged, StandardCopyOption.ATOMIC_MOVE);
                    openMirror(segment, staged);
                } else {
                    Files.move(directory.resolve(PREPARED_FILE), segment.file, StandardCopyOption.ATOMIC_MOVE);
                }
                next = start(segment, ready);
            } else {
                checkRoom(1);
                next = createSegment(nextPosition);
            }
        } catch (IOException e) {
            throw new DurableLogException(directory, "Cannot create a segment in " + directory + ": " + e, e);
        }
        old.sealed = true;
        sealedUnforced.add(old);
        active = next;
        directoryDirty = true;
        synchronized (ackLock) {
            reclaimIfDone(old);
        }
        prepareNext();
    }

    /**
     * Starts preparing the next segment: a recycled one if a reclaimed segment is waiting, else, once the active
     * segment is half full, a fresh one if there is room for it: the preparer thread creates {@link #PREPARED_FILE},
     * allocates it (zeros written, {@link #zeroAndMapFirstWindow}; on tmpfs, mapped whole and a zero written into each
     * page) and touches the pages the first appends write, so that the page faults of a fresh mapping (a few
     * microseconds each, one per 4 KiB) are not paid by appenders. Holds appendLock.
     *
     * <p>Waiting for half full matters under a steady load: the segment just sealed is usually acknowledged and
     * recycled soon after the roll, and a fresh segment prepared at once would cost the allocation of 64 MiB on the
     * preparer thread (with page faults, measured at about one core at 300 MB/s of appends on the 2-core machine),
     * while the recycled one costs a write of zeros over resident pages.
     */
    private void prepareNext() {
        prepareWanted = false;
        if (prepared != null || closed) {
            return;
        }
        if (recycleState.get() == RECYCLED_READY) {
            prepared = CompletableFuture.supplyAsync(() -> {
                try {
                    return recycle();
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }, preparer);
            return;
        }
        if (active != null && active.writeOffset < segmentBytes / 2) {
            prepareWanted = true; // a reclaimed segment may come first
            return;
        }
        if (options.maxBytes() != DurableLogOptions.UNLIMITED
                && bytesOnDisk.get() + segmentBytes > options.maxBytes()) {
            return; // the roll creates it, or reports the log full
        }
        bytesOnDisk.addAndGet(segmentBytes);
        boolean staged = stagingHasRoom();
        preparedDirectory = staged ? staging : directory;
        Path file = preparedDirectory.resolve(PREPARED_FILE);
        prepared = CompletableFuture.supplyAsync(() -> {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                if (!staged) {
                    return zeroAndMapFirstWindow(channel);
                }
                return touchPages(channel.map(FileChannel.MapMode.READ_WRITE, 0, segmentBytes));
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, preparer);
    }

    /** After an append, with {@link #prepareWanted}: prepares the next segment once a recycled one or half full. */
    private void prepareIfDue() {
        if (recycleState.get() == RECYCLED_READY || active.writeOffset >= segmentBytes / 2) {
            prepareNext();
        }
    }

    /**
     * Makes the recycled segment file the prepared one, zeroes it and maps its first window (its pages are allocated
     * already). Its bytes stay counted in bytesOnDisk, as they were while it waited.
     */
    private MappedByteBuffer recycle() throws IOException {
        Path to = directory.resolve(PREPARED_FILE);
        Files.move(directory.resolve(RECYCLED_FILE), to, StandardCopyOption.ATOMIC_MOVE);
        recycleState.set(NO_RECYCLED);
        // Zeros over the old records: the file reads like a new one, and the scan at open ends cleanly at the first
        // zero after the new records, as in a fresh segment.
        try (FileChannel channel = FileChannel.open(to, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return zeroAndMapFirstWindow(channel);
        }
    }

    /**
     * Fills a segment file with zeros by writing them (which allocates its pages and disk blocks without the page
     * fault per 4 KiB that touching a mapping costs), then maps its first append window and touches each page of it,
     * so that the first appends take no page fault. For a segment mapped from its disk file; the preparer thread.
     */
    private MappedByteBuffer zeroAndMapFirstWindow(FileChannel channel) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect(64 * 1024);
        for (long at = 0; at < segmentBytes; ) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), segmentBytes - at));
            at += channel.write(zeros, at);
        }
        return touchPages(channel.map(FileChannel.MapMode.READ_WRITE, 0, Math.min(WINDOW_BYTES, segmentBytes)));
    }

    /**
     * Writes a zero into each page of a map nobody else uses yet (the preparer's), so that appends into it take no
     * page fault; returns the map.
     */
    private static MappedByteBuffer touchPages(MappedByteBuffer map) {
        for (int page = 0; page < map.capacity(); page += PAGE_BYTES) {
            map.put(page, (byte) 0);
        }
        return map;
    }

    /** The prepared segment's map once ready (waits for it), or null if none is prepared. Holds appendLock. */
    private MappedByteBuffer takePrepared() {
        CompletableFuture<MappedByteBuffer> future = prepared;
        if (future == null) {
            return null;
        }
        prepared = null;
        try {
            return future.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            bytesOnDisk.addAndGet(-segmentBytes);
            LOG.log(Level.WARNING, "Durable buffer " + directory + ": preparing the next segment failed; creating it"
                    + " now", e);
            return null;
        }
    }

    private void checkRoom(int newSegments) {
        if (newSegments == 0) {
            return;
        }
        long needed = (long) newSegments * segmentBytes;
        long used = bytesOnDisk.get();
        if (options.maxBytes() != DurableLogOptions.UNLIMITED && used + needed > options.maxBytes()) {
            throw new DurableLogFullException(directory, used, needed, "The durable buffer in " + directory
                    + " is full: its files hold " + used + " bytes and " + needed + " more would pass "
                    + DurableLogOptions.MAX_BYTES + "=" + options.maxBytes()
                    + "; acknowledge records to reclaim segments, or raise " + DurableLogOptions.MAX_BYTES);
        }
        long usable = directory.toFile().getUsableSpace();
        if (usable > 0 && usable < needed) {
            throw new DurableLogFullException(directory, used, needed, "The file system of " + directory + " has "
                    + usable + " bytes free, less than the " + needed + " bytes of a new segment: free disk space or"
                    + " lower " + DurableLogOptions.MAX_BYTES);
        }
    }

    private Segment createSegment(long firstPosition) throws IOException {
        Segment segment = new Segment(directory, firstPosition);
        boolean staged = stagingHasRoom();
        Path mapped = staged ? staging.resolve(segment.file.getFileName()) : segment.file;
        MappedByteBuffer map;
        try (FileChannel channel = FileChannel.open(mapped, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            map = channel.map(FileChannel.MapMode.READ_WRITE, 0, segmentBytes);
        } catch (FileAlreadyExistsException e) {
            throw new DurableLogException(directory, "Segment " + mapped + " exists already: the directory"
                    + " was changed behind the log's back", e);
        }
        if (staged) {
            openMirror(segment, mapped);
        }
        bytesOnDisk.addAndGet(segmentBytes);
        return start(segment, map);
    }

    /**
     * Whether a new segment goes to the staging directory: there is one, and it has room for two segments (the active
     * one and the prepared one). A full tmpfs would turn a write into a SIGBUS; without room, segments are mapped from
     * their disk files, as without staging.
     */
    private boolean stagingHasRoom() {
        if (staging == null) {
            return false;
        }
        long usable;
        try {
            usable = Files.getFileStore(staging).getUsableSpace();
        } catch (IOException e) {
            usable = -1;
        }
        if (usable >= 2L * segmentBytes) {
            return true;
        }
        if (stagingFullReported.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "Durable buffer " + directory + ": the staging directory " + staging + " ("
                    + DurableLogOptions.STAGING + ") has " + usable + " bytes free, less than two segments ("
                    + 2L * segmentBytes + " bytes); new segments are written to " + directory + " directly. Give it"
                    + " more room (the size of /dev/shm), or lower " + DurableLogOptions.SEGMENT_BYTES);
        }
        return false;
    }

    /** A staged segment: appends go to {@code staged}; each sync copies them to the segment's disk file. */
    private static void openMirror(Segment segment, Path staged) throws IOException {
        segment.stagedFile = staged;
        segment.channel = FileChannel.open(segment.file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /**
     * Writes the header into a new segment's map and makes it live; a segment mapped from its disk file gets its
     * channel, through which syncs force it and appends map their next window.
     */
    private Segment start(Segment segment, MappedByteBuffer map) throws IOException {
        if (segment.channel == null) {
            segment.channel = FileChannel.open(segment.file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        map.putInt(0, Segment.MAGIC);
        map.putInt(4, Segment.VERSION);
        map.putLong(8, segment.firstPosition);
        segment.map = map;
        segment.mapOffset = 0;
        segment.writeOffset = Segment.HEADER_BYTES;
        segment.fileBytes = segmentBytes;
        segments.put(segment.firstPosition, segment);
        return segment;
    }

    private void afterAppend(long position) {
        if (options.fsync() == FsyncPolicy.ALWAYS) {
            awaitDurable(position);
        } else if (!flushArmed.get()) {
            armFlush();
        }
    }

    // -------------------------------------------------------------------------------------------------- durability

    /**
     * Returns once {@code position} (and every position before it) is on the storage device, forcing the log now if
     * needed. Concurrent callers share one fsync. Under {@link FsyncPolicy#ALWAYS} an appended position is already
     * durable when {@link #append} returns.
     *
     * @param position a position returned by an append
     * @throws IllegalArgumentException if nothing was appended at {@code position} yet
     * @throws DurableLogException if forcing the files failed
     */
    public void awaitDurable(long position) {
        if (durable >= position) {
            return;
        }
        checkAppended(position);
        syncLock.lock();
        try {
            if (durable < position) {
                sync();
            }
        } finally {
            syncLock.unlock();
        }
    }

    /**
     * A future completed with the durable position once {@code position} is on the storage device: at once if it
     * is, else by the fsync that covers it (under {@link FsyncPolicy#INTERVAL} the flusher's, within about one
     * {@code buffer.durable.fsync-interval}). It completes on the thread that did the fsync: continue with an
     * {@code ...Async} stage for anything slow. At {@link #close} every appended position becomes durable.
     *
     * @param position a position returned by an append
     * @return the future
     * @throws IllegalArgumentException if nothing was appended at {@code position} yet
     */
    public CompletableFuture<Long> whenDurable(long position) {
        long now = durable;
        if (now >= position) {
            return CompletableFuture.completedFuture(now);
        }
        checkAppended(position);
        CompletableFuture<Long> future = new CompletableFuture<>();
        synchronized (waiters) {
            waiters.add(new Waiter(position, future));
        }
        if (durable >= position) {
            completeWaiters(durable);
        } else if (!flushArmed.get()) {
            armFlush();
        }
        return future;
    }

    /** Every position up to this one is on the storage device; -1 if none is. */
    public long durablePosition() {
        return durable;
    }

    private void checkAppended(long position) {
        if (position > lastAppended) {
            throw new IllegalArgumentException("Position " + position + " was not appended to the durable buffer in "
                    + directory + " (the last one is " + lastAppended + ")");
        }
    }

    private void armFlush() {
        if (open && flushArmed.compareAndSet(false, true)) {
            try {
                flusher.schedule(this::flush, options.fsyncInterval().toNanos(), TimeUnit.NANOSECONDS);
            } catch (RuntimeException e) {
                flushArmed.set(false); // shut down by close(), which forces everything itself
            }
        }
    }

    private void flush() {
        flushArmed.set(false);
        syncLock.lock();
        try {
            sync();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Durable buffer " + directory + ": the background fsync failed; retrying at the"
                    + " next write", e);
        } finally {
            syncLock.unlock();
        }
    }

    /** Forces everything written so far: sealed segments, the active one, dirty acknowledgements. Holds syncLock. */
    private void sync() {
        List<Segment> sealed;
        Segment current;
        int end;
        long upTo;
        boolean directoryChanged;
        List<MappedByteBuffer> windows;
        MappedByteBuffer movedWindow = null;
        int windowOffset = 0;
        appendLock.lock();
        try {
            if (active == null) {
                return;
            }
            sealed = sealedUnforced.isEmpty() ? List.of() : new ArrayList<>(sealedUnforced);
            sealedUnforced.clear();
            current = active;
            end = current.writeOffset;
            upTo = nextPosition - 1;
            directoryChanged = directoryDirty;
            directoryDirty = false;
            if (current.stagedFile == null && end - current.forcedOffset >= MOVE_WINDOW_BYTES && end < segmentBytes) {
                try {
                    movedWindow = moveWindow(current, end, 0); // the pages this sync writes back are then unmapped
                    windowOffset = end;
                } catch (DurableLogException e) {
                    LOG.log(Level.DEBUG, "cannot move the append window; forcing the mapped pages", e);
                }
            }
            windows = retiredWindows.isEmpty() ? List.of() : new ArrayList<>(retiredWindows);
            retiredWindows.clear();
        } finally {
            appendLock.unlock();
        }
        for (MappedByteBuffer window : windows) {
            Unmapper.unmap(window);
        }
        List<FileChannel> acks;
        DurableLogException ackFailure = null;
        synchronized (ackLock) {
            try {
                writePendingAcks();
            } catch (DurableLogException e) {
                ackFailure = e; // the ranges stay pending; the records are forced all the same
            }
            acks = new ArrayList<>(unforcedAcks.size());
            for (Segment s : unforcedAcks) {
                acks.add(s.ackChannel);
            }
            unforcedAcks.clear();
        }
        if (sealed.isEmpty() && end == current.forcedOffset && acks.isEmpty() && !directoryChanged) {
            publishDurable(upTo);
            if (ackFailure != null) {
                throw ackFailure;
            }
            return;
        }
        long start = System.nanoTime();
        try {
            for (Segment s : sealed) {
                if (s.stagedFile == null) {
                    Unmapper.unmap(s.map); // before the fsync: its pages are written back unmapped
                    s.map = null;
                }
                if (s.writeOffset > s.forcedOffset) {
                    forceRange(s, s.forcedOffset, s.writeOffset);
                }
                s.forcedOffset = s.writeOffset;
                Unmapper.unmap(s.map);
                s.map = null;
                release(s); // every record is on disk now
            }
            if (end > current.forcedOffset) {
                int forcedBefore = current.forcedOffset;
                forceRange(current, forcedBefore, end);
                current.forcedOffset = end;
                if (movedWindow != null) {
                    faultIn(movedWindow, windowOffset, 2 * (end - forcedBefore));
                }
            }
            for (FileChannel channel : acks) {
                try {
                    channel.force(false);
                } catch (ClosedChannelException e) {
                    // its segment was reclaimed meanwhile
                }
            }
            if (directoryChanged) {
                forceDirectory();
            }
        } catch (IOException | RuntimeException e) {
            appendLock.lock();
            try {
                // Not forced: the next sync tries these again.
                for (Segment s : sealed) {
                    if (s.forcedOffset < s.writeOffset) {
                        sealedUnforced.add(0, s);
                    }
                }
                directoryDirty |= directoryChanged;
            } finally {
                appendLock.unlock();
            }
            throw new DurableLogException(directory, "Cannot fsync the durable buffer in " + directory + ": " + e, e);
        }
        long nanos = System.nanoTime() - start;
        fsyncs.incrementAndGet();
        fsyncNanos.addAndGet(nanos);
        fsyncNanosMax.accumulateAndGet(nanos, Math::max);
        publishDurable(upTo);
        try {
            listener.onFsync(nanos, upTo);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Durable buffer " + directory + ": the listener failed on an fsync", e);
        }
        if (ackFailure != null) {
            throw ackFailure;
        }
    }

    /**
     * Faults in, for the appenders, the pages of a window that the next {@code bytes} of appends will write (the
     * pages after the one holding the window's first byte, up to its end): a page fault on the append path costs
     * 1-2 microseconds (18% of the appender's time at 16-byte records). Each page is written by a compare-and-set of
     * its first int from 0 to 0, which changes nothing, whatever appenders write there meanwhile. After the fsync
     * only: a page dirtied before it would be written back, and cleaning a mapped page costs the TLB shootdown that
     * windows avoid. The pages it touches are dirty, so the next fsync writes them too (zeros, or what appenders wrote
     * by then). Holds syncLock, so the window is not unmapped meanwhile.
     */
    private static void faultIn(MappedByteBuffer window, int windowOffset, int bytes) {
        int firstPage = (PAGE_BYTES - windowOffset % PAGE_BYTES) % PAGE_BYTES; // index of the first page boundary
        int last = Math.min(window.capacity() - Integer.BYTES, firstPage + Math.max(bytes, 16 * PAGE_BYTES));
        for (int index = firstPage; index <= last; index += PAGE_BYTES) {
            WINDOW_INT.compareAndSet(window, index, 0, 0);
        }
    }

    /**
     * Forces bytes {@code from} to {@code to} of a segment to the storage device: {@code fdatasync} of its file, after,
     * for a staged segment, a copy of the bytes from tmpfs. Holds syncLock.
     */
    private void forceRange(Segment s, int from, int to) throws IOException {
        try {
            if (s.stagedFile != null) {
                ByteBuffer bytes = s.map.slice(from, to - from);
                long at = from;
                while (bytes.hasRemaining()) {
                    at += s.channel.write(bytes, at);
                }
            }
            s.channel.force(false);
        } catch (ClosedChannelException e) {
            synchronized (ackLock) {
                if (!s.deleted) {
                    throw e;
                }
            }
            // reclaimed meanwhile: every record was acknowledged, nothing is left to keep
        }
    }

    /** A sealed segment whose records are all on disk: its channel, and a staged one's tmpfs copy, are not needed. */
    private void release(Segment s) {
        closeQuietly(s.channel);
        if (s.stagedFile == null) {
            return;
        }
        try {
            Files.deleteIfExists(s.stagedFile);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot delete " + s.stagedFile, e);
        }
    }

    private void publishDurable(long upTo) {
        if (upTo > durable) {
            durable = upTo;
        }
        completeWaiters(durable);
    }

    private void completeWaiters(long upTo) {
        List<Waiter> done = null;
        synchronized (waiters) {
            while (!waiters.isEmpty() && waiters.peek().position() <= upTo) {
                if (done == null) {
                    done = new ArrayList<>();
                }
                done.add(waiters.poll());
            }
        }
        if (done != null) {
            for (Waiter w : done) {
                w.future().complete(upTo);
            }
        }
    }

    // ----------------------------------------------------------------------------------------------- acknowledge

    /**
     * Acknowledges one position. See {@link #ack(long...)}.
     *
     * @param position a position returned by an append or delivered by {@link #replay}
     * @return 1 if it was newly acknowledged, 0 if it was before or is gone
     */
    public int ack(long position) {
        return ack(new long[] {position});
    }

    /**
     * Acknowledges positions, in any order (batches settle out of order): their records will not be replayed. A
     * segment whose every record is acknowledged is deleted once it is no longer the one appended to. The positions
     * are kept in memory as ranges of consecutive positions (a FIFO batch is one range) and written, one checksummed
     * entry per segment, to its acknowledgement file by the next fsync (within {@code buffer.durable.fsync-interval},
     * or at {@link #close}): a crash, even of the process alone, may forget the acknowledgements of the last interval,
     * which then means duplicates on replay, never a loss.
     * Positions already acknowledged, reclaimed, or cut off with a torn tail are ignored.
     *
     * @param positions positions returned by appends or delivered by {@link #replay}
     * @return how many were newly acknowledged
     * @throws IllegalArgumentException if a position was never appended
     * @throws IllegalStateException if the log is closed
     */
    public int ack(long... positions) {
        return ack(positions, positions.length);
    }

    /**
     * {@link #ack(long...)} of the first {@code count} positions of an array (a batch's, without copying it).
     *
     * @param positions the positions
     * @param count how many of them, from the start
     * @return how many were newly acknowledged
     */
    public int ack(long[] positions, int count) {
        int newly = 0;
        long last = lastAppended;
        for (int i = 0; i < count; i++) {
            long position = positions[i];
            if (position < 0 || position > last) {
                throw new IllegalArgumentException("Position " + position + " was never appended to the durable"
                        + " buffer in " + directory + " (the last one is " + last + ")");
            }
        }
        synchronized (ackLock) {
            if (!open) {
                throw new IllegalStateException("The durable buffer in " + directory + " is closed");
            }
            // A batch's positions are almost always one run of consecutive positions (FIFO): one range each.
            for (int i = 0; i < count; ) {
                long first = positions[i];
                int j = i + 1;
                while (j < count && positions[j] == positions[j - 1] + 1) {
                    j++;
                }
                newly += ackRange(first, first + (j - i));
                i = j;
            }
        }
        if (newly > 0) {
            acknowledged.addAndGet(newly);
            unacknowledged.add(-newly);
            if (!flushArmed.get()) {
                armFlush();
            }
        }
        return newly;
    }

    /**
     * Acknowledges the positions {@code [from, to)} in every live segment they fall in, keeps what is new as ranges to
     * write, and reclaims segments that are done. Holds ackLock.
     */
    private int ackRange(long from, long to) {
        int newly = 0;
        long p = from;
        while (p < to) {
            Segment segment = find(p);
            if (segment == null) {
                // reclaimed, or cut off with a torn tail: go on in the next live segment, if the range reaches it
                Long next = segments.higherKey(p);
                if (next == null) {
                    break;
                }
                p = next;
                continue;
            }
            long end = Math.min(to, segment.firstPosition + segment.count);
            int added = segment.acknowledge((int) (p - segment.firstPosition), (int) (end - segment.firstPosition),
                    true);
            if (added > 0) {
                newly += added;
                if (!dirtyAcks.contains(segment)) {
                    dirtyAcks.add(segment);
                }
                reclaimIfDone(segment);
            }
            p = end;
        }
        return newly;
    }

    /** The live segment holding {@code position}, or null if it is gone. Holds ackLock. */
    private Segment find(long position) {
        Map.Entry<Long, Segment> entry = segments.floorEntry(position);
        if (entry == null) {
            return null;
        }
        Segment segment = entry.getValue();
        return position < segment.firstPosition + segment.count ? segment : null;
    }

    /**
     * Writes the ranges acknowledged since the last write, one range entry per segment, to the acknowledgement files
     * (the page cache); the next fsync forces them. Holds ackLock.
     *
     * @throws DurableLogException if a file cannot be written; its ranges stay pending for the next try
     */
    private void writePendingAcks() {
        for (Segment segment : dirtyAcks) {
            if (segment.pendingAckInts > 0) {
                writeAcks(segment);
            }
            if (!unforcedAcks.contains(segment)) {
                unforcedAcks.add(segment);
            }
        }
        dirtyAcks.clear();
    }

    /** Writes a segment's pending ranges as one range entry. Holds ackLock. */
    private void writeAcks(Segment segment) {
        int ranges = segment.pendingAckInts / 2;
        int bytes = Segment.ACK_HEADER_BYTES + ranges * Segment.ACK_RANGE_BYTES;
        if (ackBuffer.capacity() < bytes) {
            ackBuffer = ByteBuffer.allocate(Math.max(bytes, ackBuffer.capacity() * 2));
        }
        ByteBuffer b = ackBuffer.clear();
        b.putInt(-ranges).putInt(0);
        int[] pending = segment.pendingAcks;
        for (int i = 0; i < ranges; i++) {
            b.putLong(segment.firstPosition + pending[2 * i]).putInt(pending[2 * i + 1]);
        }
        ackCrc.reset();
        ackCrc.update(b.array(), 0, 4);
        ackCrc.update(b.array(), Segment.ACK_HEADER_BYTES, bytes - Segment.ACK_HEADER_BYTES);
        b.putInt(4, (int) ackCrc.getValue());
        b.flip();
        try {
            if (segment.ackChannel == null) {
                segment.ackChannel = FileChannel.open(segment.ackFile, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            }
            while (b.hasRemaining()) {
                segment.ackChannel.write(b);
            }
        } catch (IOException e) {
            if (segment.ackChannel != null) {
                try {
                    segment.ackChannel.truncate(segment.ackBytes); // no half entry before the next try's
                } catch (IOException truncateFailure) {
                    // The scan at the next open stops at the half entry: the acknowledgements after it are lost, and
                    // their records are replayed (duplicates, not a loss).
                    e.addSuppressed(truncateFailure);
                }
            }
            throw new DurableLogException(directory, "Cannot write " + segment.ackFile + ": " + e, e);
        }
        segment.pendingAckInts = 0;
        segment.ackBytes += bytes;
        bytesOnDisk.addAndGet(bytes);
    }

    /** Deletes a sealed segment whose every record is acknowledged. Holds ackLock. */
    private void reclaimIfDone(Segment segment) {
        if (segment.deleted || !segment.fullyAcknowledged()) {
            return;
        }
        segment.deleted = true;
        segments.remove(segment.firstPosition, segment);
        dirtyAcks.remove(segment);
        unforcedAcks.remove(segment);
        closeQuietly(segment.ackChannel);
        boolean recycled = false;
        try {
            // The segment first: a crash between the two leaves an orphan acknowledgement file, deleted at the open.
            if (open && staging == null && segment.fileBytes == segmentBytes
                    && recycleState.compareAndSet(NO_RECYCLED, RECYCLED_MOVING)) {
                Files.move(segment.file, directory.resolve(RECYCLED_FILE), StandardCopyOption.ATOMIC_MOVE);
                recycled = true;
                recycleState.set(RECYCLED_READY);
            }
            else {
                Files.deleteIfExists(segment.file);
            }
            Files.deleteIfExists(segment.ackFile);
            closeQuietly(segment.channel);
            if (segment.stagedFile != null) {
                Files.deleteIfExists(segment.stagedFile);
            }
        } catch (IOException e) {
            if (!recycled) {
                recycleState.compareAndSet(RECYCLED_MOVING, NO_RECYCLED);
            }
            LOG.log(Level.WARNING, "Durable buffer " + directory + ": cannot delete reclaimed segment "
                    + segment.file, e);
        }
        // A recycled file stays on disk, counted, until it is the next segment or the log closes.
        bytesOnDisk.addAndGet(-((recycled ? 0 : segment.fileBytes) + segment.ackBytes));
    }

    /**
     * Up to {@code max} of the oldest positions not acknowledged yet, in append order: what a drop-oldest full
     * behaviour acknowledges (drops) to make room. Room appears once the oldest segment is wholly acknowledged.
     *
     * @param max how many positions at most
     * @return the positions, oldest first
     */
    public long[] oldestUnacknowledged(int max) {
        long[] found = new long[Math.max(0, max)];
        int n = 0;
        synchronized (ackLock) {
            for (Segment segment : segments.values()) {
                int count = segment.count;
                for (int i = segment.acked.nextClearBit(0); i < count && n < found.length;
                        i = segment.acked.nextClearBit(i + 1)) {
                    found[n++] = segment.firstPosition + i;
                }
                if (n == found.length) {
                    break;
                }
            }
        }
        return n == found.length ? found : java.util.Arrays.copyOf(found, n);
    }

    // ------------------------------------------------------------------------------------------------------ replay

    /**
     * Delivers every record that was on disk when the log was opened and is not acknowledged, in append order, with
     * its position; records appended since the open are not included. Reads the files, so it may be called again
     * (it then skips what was acknowledged meanwhile). Typically called once, right after {@link #open}, before the
     * first append.
     *
     * @param consumer gets each record; an exception it throws stops the replay and is rethrown
     * @return how many records were delivered
     * @throws DurableLogException if a segment cannot be read
     */
    public long replay(RecordConsumer consumer) {
        Objects.requireNonNull(consumer, "consumer");
        long delivered = 0;
        for (Segment segment : segments.headMap(replayEnd).values()) {
            BitSet acked;
            int count;
            synchronized (ackLock) {
                if (segment.deleted) {
                    continue;
                }
                acked = (BitSet) segment.acked.clone();
                count = segment.count;
            }
            long[] n = {0};
            try {
                Segment.scan(segment.file, segment.firstPosition, count, (position, item) -> {
                    if (!acked.get((int) (position - segment.firstPosition))) {
                        n[0]++;
                        replayed.incrementAndGet();
                        consumer.accept(position, item);
                    }
                });
            } catch (NoSuchFileException e) {
                // reclaimed meanwhile: every record of it was acknowledged
            } catch (IOException e) {
                throw new DurableLogException(directory, "Cannot read " + segment.file + ": " + e, e);
            }
            delivered += n[0];
        }
        return delivered;
    }

    // ------------------------------------------------------------------------------------------------ stats, close

    /** The torn or corrupt tails {@link #open} cut off (empty for a clean open). */
    public List<TruncatedTail> truncations() {
        return truncations;
    }

    /** The directory the log lives in. */
    public Path directory() {
        return directory;
    }

    /** The options the log was opened with. */
    public DurableLogOptions options() {
        return options;
    }

    /** A snapshot of the log's state and counters. */
    public DurableLogStats stats() {
        long next;
        long appendedHere;
        appendLock.lock();
        try {
            next = nextPosition;
            appendedHere = appendedCount;
        } finally {
            appendLock.unlock();
        }
        // unacknowledged holds what the open found left minus the acknowledgements; the appends are counted apart.
        return new DurableLogStats(bytesOnDisk.get(), unacknowledged.sum() + appendedHere, segments.size(),
                appendedHere,
                acknowledged.get(), replayed.get(), fsyncs.get(), fsyncNanos.get(), fsyncNanosMax.get(),
                truncations.size(), next, durable);
    }

    /**
     * Forces everything appended and acknowledged to the storage device, releases the files and the directory's
     * lock. Every {@link #whenDurable} future completes. Idempotent; appends and acknowledgements after it throw
     * {@link IllegalStateException}.
     *
     * @throws DurableLogException if the final fsync fails (the lock is released all the same)
     */
    @Override
    public void close() {
        syncLock.lock();
        try {
            appendLock.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
            } finally {
                appendLock.unlock();
            }
            flusher.shutdown();
            preparer.shutdown();
            try {
                sync();
            } finally {
                synchronized (ackLock) {
                    open = false;
                    // Acknowledged after the last fsync's write: into the files too (a lost one is a duplicate).
                    try {
                        writePendingAcks();
                    } catch (DurableLogException e) {
                        LOG.log(Level.WARNING, "Durable buffer " + directory + ": the last acknowledgements are not"
                                + " written; their records will be replayed", e);
                    }
                    for (Segment segment : segments.values()) {
                        closeQuietly(segment.ackChannel);
                        segment.ackChannel = null;
                    }
                }
                appendLock.lock();
                try {
                    Segment last = active;
                    for (MappedByteBuffer window : retiredWindows) {
                        Unmapper.unmap(window);
                    }
                    retiredWindows.clear();
                    for (Segment s : sealedUnforced) {
                        Unmapper.unmap(s.map);
                        s.map = null;
                        closeQuietly(s.channel); // not forced: a staged copy stays for the next open
                    }
                    sealedUnforced.clear();
                    Unmapper.unmap(last.map);
                    last.map = null;
                    active = null;
                    if (!last.deleted) {
                        truncateQuietly(last);
                    }
                    if (last.forcedOffset == last.writeOffset) {
                        release(last); // its records are on disk: a clean close leaves nothing on tmpfs
                    } else {
                        closeQuietly(last.channel);
                    }
                    MappedByteBuffer unused = takePrepared();
                    if (unused != null) {
                        Unmapper.unmap(unused);
                        bytesOnDisk.addAndGet(-segmentBytes);
                    }
                    try {
                        Files.deleteIfExists(directory.resolve(PREPARED_FILE));
                        if (staging != null) {
                            Files.deleteIfExists(staging.resolve(PREPARED_FILE));
                            deleteIfEmpty(staging);
                        }
                        if (recycleState.compareAndSet(RECYCLED_READY, NO_RECYCLED)
                                && Files.deleteIfExists(directory.resolve(RECYCLED_FILE))) {
                            bytesOnDisk.addAndGet(-segmentBytes);
                        }
                    } catch (IOException e) {
                        LOG.log(Level.DEBUG, "cannot delete " + directory.resolve(PREPARED_FILE), e);
                    }
                } finally {
                    appendLock.unlock();
                }
                releaseLock();
            }
        } finally {
            syncLock.unlock();
        }
    }

    /** Removes the staging subdirectory unless a staged copy the last fsync did not cover is left for the next open. */
    private static void deleteIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException e) {
            LOG.log(Level.WARNING, "Durable buffer: " + dir + " keeps staged records the last fsync did not copy to"
                    + " disk; the next open with the same " + DurableLogOptions.STAGING
                    + " completes the log from them");
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot delete " + dir, e);
        }
    }

    /** The closed active segment keeps only its records (an empty one is kept: it holds the next position). */
    private void truncateQuietly(Segment last) {
        try {
            truncate(last.file, last.writeOffset);
            bytesOnDisk.addAndGet(last.writeOffset - last.fileBytes);
            last.fileBytes = last.writeOffset;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Durable buffer " + directory + ": cannot trim " + last.file, e);
        }
    }

    private void releaseLock() {
        try {
            if (lock != null) {
                lock.release();
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot release " + directory.resolve(LOCK_FILE), e);
        }
        closeQuietly(lockChannel);
        LOCKED.remove(directory);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.log(Level.DEBUG, "cannot close " + closeable, e);
            }
        }
    }

    @Override
    public String toString() {
        return "DurableLog[" + directory + "]";
    }
}
