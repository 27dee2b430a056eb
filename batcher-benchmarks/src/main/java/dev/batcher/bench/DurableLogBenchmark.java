package dev.batcher.bench;

import dev.batcher.durable.DurableLog;
import dev.batcher.durable.DurableLogOptions;
import dev.batcher.durable.FsyncPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Appends per second of 100-byte items to the durable log (issue 11) under each fsync policy, and to H2's MVStore as
 * the peer storage library. Each producer thread acknowledges its items in batches of 100 (what the kernel does when
 * a batch is sent), so that segments are reclaimed and the disk use stays flat during the run, as in production.
 *
 * <ul>
 *   <li>{@code logInterval}: {@link FsyncPolicy#INTERVAL}, 10 ms (the target: the durable {@code enqueue} at
 *       &gt;= 0.25x of the in-memory one);</li>
 *   <li>{@code logAlways}: {@link FsyncPolicy#ALWAYS}, every append on the device before it returns (group commit
 *       across the producers);</li>
 *   <li>{@code mvstoreInterval}: {@code MVMap<Long, byte[]>.put} with MVStore's auto-commit every 10 ms, removals of
 *       each batch of 100 (MVStore's commit writes its chunk; it does not fsync, so this is weaker than
 *       {@code logInterval});</li>
 *   <li>{@code mvstoreAlways}: the same with {@code commit()} and {@code sync()} after each put under one lock (MVStore
 *       has no group commit).</li>
 * </ul>
 * Run with {@code ThroughputBench.p1} in one JMH run to compare with the in-memory {@code Dispatcher.enqueue}:
 * {@code java -jar batcher-benchmarks/target/benchmarks.jar 'DurableLogBenchmark|ThroughputBench.p1'
 * -p target=dispatcherEnqueue}. The files go to {@code -Dbench.durable.dir} (default: a temporary directory).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class DurableLogBenchmark {

    static final byte[] ITEM = new byte[100];

    static final int ACK_BATCH = 100;

    @Param({"logInterval", "logAlways", "mvstoreInterval", "mvstoreAlways"})
    public String variant;

    private Path directory;
    private DurableLog log;
    private MVStore store;
    private MVMap<Long, byte[]> map;
    private final AtomicLong keys = new AtomicLong();
    private final Object storeLock = new Object();
    private boolean always;

    /** One producer's positions waiting to be acknowledged. */
    @State(Scope.Thread)
    public static class Producer {
        final long[] pending = new long[ACK_BATCH];
        int count;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        String base = System.getProperty("bench.durable.dir");
        directory = base == null ? Files.createTempDirectory("durable-bench")
                : Files.createTempDirectory(Files.createDirectories(Path.of(base)), "durable-bench");
        always = variant.endsWith("Always");
        if (variant.startsWith("log")) {
            log = DurableLog.open(DurableLogOptions.of(directory)
                    .withFsync(always ? FsyncPolicy.ALWAYS : FsyncPolicy.INTERVAL)
                    .withFsyncInterval(Duration.ofMillis(10)));
        } else {
            store = new MVStore.Builder().fileName(directory.resolve("store.mv").toString())
                    .autoCommitDisabled().open();
            if (!always) {
                store.setAutoCommitDelay(10);
            }
            map = store.openMap("items");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (log != null) {
            System.out.println("[" + variant + "] " + log.stats());
            log.close();
        }
        if (store != null) {
            System.out.println("[" + variant + "] file bytes " + Files.size(directory.resolve("store.mv")));
            store.close();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** One producer. */
    @Benchmark
    @Threads(1)
    public long p1(Producer producer) {
        return append(producer);
    }

    /** Two producers. */
    @Benchmark
    @Threads(2)
    public long p2(Producer producer) {
        return append(producer);
    }

    private long append(Producer producer) {
        long position;
        if (log != null) {
            position = log.append(ITEM);
        } else {
            position = keys.getAndIncrement();
            if (always) {
                synchronized (storeLock) {
                    map.put(position, ITEM);
                    store.commit();
                    store.sync();
                }
            } else {
                map.put(position, ITEM);
            }
        }
        producer.pending[producer.count++] = position;
        if (producer.count == ACK_BATCH) {
            if (log != null) {
                log.ack(producer.pending);
            } else {
                for (long key : producer.pending) {
                    map.remove(key);
                }
            }
            producer.count = 0;
        }
        return position;
    }
}
