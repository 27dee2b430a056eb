package dev.batcher.bench;

import dev.batcher.resource.ResourceProcessor;
import dev.batcher.resource.ResourceProcessorConfig;
import dev.batcher.resource.ResourceStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Operations per second on one hot key whose store costs {@code ioMicros} per load and per save (an in-memory map
 * behind a simulated round trip): the {@link ResourceProcessor} (one load and one save per batch; each of the 4
 * caller threads keeps {@value #WINDOW} operations in flight and waits for them) against load-operate-save per call
 * (serialized per key, as it must be to stay correct without the processor). The ratio of the two scores is the
 * batching gain; the target is at least 100x with 1 ms I/O.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Threads(4)
public class ResourceProcessorBenchmark {

    /** Operations each caller thread has in flight in {@link #processor()}. */
    static final int WINDOW = 256;
    private static final String KEY = "hot";

    /** The simulated cost of one load and of one save, in microseconds. */
    @Param({"1000"})
    public long ioMicros;

    private SimulatedStore store;
    private ResourceProcessor<String, long[]> processor;
    private final Object perCallLock = new Object();

    @Setup(Level.Trial)
    public void setUp() {
        store = new SimulatedStore(TimeUnit.MICROSECONDS.toNanos(ioMicros));
        processor = ResourceProcessor.create("bench", ResourceProcessorConfig.builder()
                .minDuration(Duration.ofMillis(5)).maxDuration(Duration.ofSeconds(5)).maxConcurrentBatches(4)
                .bufferMaxItems(100_000).build(), store);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        processor.close(Duration.ofSeconds(10));
        System.out.println("[ResourceProcessor] " + processor.stats() + "; store loads=" + store.loads
                + " saves=" + store.saves);
    }

    /** {@value #WINDOW} operations run through the processor, then waited for. */
    @Benchmark
    @OperationsPerInvocation(WINDOW)
    public long processor() {
        @SuppressWarnings("unchecked")
        CompletableFuture<Long>[] pending = new CompletableFuture[WINDOW];
        for (int i = 0; i < WINDOW; i++) {
            pending[i] = processor.run(KEY, counter -> ++counter[0]);
        }
        long last = 0;
        for (CompletableFuture<Long> f : pending) {
            last = f.join();
        }
        return last;
    }

    /** The one-at-a-time way: load, operate, save for every operation, one caller at a time per key. */
    @Benchmark
    public long loadOperateSavePerCall() throws Exception {
        synchronized (perCallLock) {
            Instant deadline = Instant.now().plusSeconds(5);
            long[] counter = store.load(KEY, deadline);
            long value = ++counter[0];
            store.save(KEY, counter, deadline);
            return value;
        }
    }

    /** A map behind a simulated round trip: every load and save parks for the I/O cost. */
    static final class SimulatedStore implements ResourceStore<String, long[]> {

        private final long ioNanos;
        private final Map<String, long[]> data = new ConcurrentHashMap<>();
        volatile long loads;
        volatile long saves;

        SimulatedStore(long ioNanos) {
            this.ioNanos = ioNanos;
        }

        @Override
        public long[] load(String key, Instant deadline) {
            io();
            loads++;
            long[] stored = data.get(key);
            return stored == null ? new long[1] : stored.clone();
        }

        @Override
        public void save(String key, long[] resource, Instant deadline) {
            io();
            saves++;
            data.put(key, resource.clone());
        }

        private void io() {
            long end = System.nanoTime() + ioNanos;
            for (long left = ioNanos; left > 0; left = end - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        }
    }
}
