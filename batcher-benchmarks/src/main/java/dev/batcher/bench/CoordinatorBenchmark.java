package dev.batcher.bench;

import dev.batcher.coordinate.Coordinator;
import dev.batcher.coordinate.CoordinatorConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
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
 * Contributions per second through a commit {@link Coordinator} against one commit per contribution, with 64 callers (the setting)
 * and a commit that costs {@code commitMicros} (parked, like a write waiting for a disk flush or a database round
 * trip). The one-per-call baseline serialises its commits (one log, one connection: the reason group commit exists);
 * the Coordinator folds the callers that arrive during a commit into the next one. Ratio = coordinator / onePerCall.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class CoordinatorBenchmark {

    /** What one commit costs, in microseconds. */
    @Param({"1000"})
    public long commitMicros;

    private Coordinator<long[], Long> coordinator;
    private final ReentrantLock log = new ReentrantLock();
    private long committedTotal;

    @Setup(Level.Trial)
    public void setUp() {
        long nanos = commitMicros * 1_000;
        coordinator = Coordinator.create("bench", CoordinatorConfig.defaults(), () -> new long[1], (sum, coach) -> {
            commitFor(nanos);
            return sum[0];
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (coordinator.stats().commits() > 0) {
            System.out.println("[coordinator] " + coordinator.stats().contributorsPerCommit()
                    + " contributions per commit");
        }
        coordinator.close(Duration.ofSeconds(5));
    }

    /**
     * A commit of {@code nanos}: parks until that much time has passed. One {@code parkNanos} is not enough: a thread
     * can carry a stale unpark permit (the lock's hand-offs and the coordinator's wake-ups leave some), and its park
     * then returns at once. That made single runs of {@code onePerCall} commit in 0.82 ms on average instead of 1 ms.
     */
    static void commitFor(long nanos) {
        long end = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /** One contribution through the Coordinator: add to the shared state, wait for the batch's commit. */
    @Benchmark
    @Threads(64)
    public long coordinator() {
        return coordinator.contribute((sum, round) -> sum[0]++);
    }

    /** One commit per contribution, commits one at a time. */
    @Benchmark
    @Threads(64)
    public long onePerCall() {
        log.lock();
        try {
            commitFor(commitMicros * 1_000);
            return ++committedTotal;
        }
        finally {
            log.unlock();
        }
    }
}
