package dev.batcher.bench;

import dev.batcher.task.TaskCall;
import dev.batcher.task.TaskOptions;
import dev.batcher.task.TaskQueue;
import dev.batcher.task.TaskQueueConfig;
import dev.batcher.task.TaskRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The task queue in local mode (dingo's local benchmark: 228,250 ns/op on a Core 2 Duo): calls per second of a
 * one-argument task on 2 worker threads ({@code concurrency=2}), from one calling thread. One invocation makes
 * {@value #WINDOW} calls and waits for all their results, so the score is calls completed per second, end to end:
 * id, Sent, queueing, the worker, Success, the future. {@code ignoreReports} skips the Sent/Progress reports and the
 * result's marshalling for reports (the fast path, no marshalling at all); {@code withReports} keeps them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class TaskQueueBenchmark {

    static final int WINDOW = 1000;

    private TaskQueue queue;
    private final TaskOptions quiet = TaskOptions.DEFAULTS.ignoreReports();

    @Setup(Level.Trial)
    public void setUp() {
        TaskRegistry registry = new TaskRegistry().register("inc", long.class, Long.class, value -> value + 1);
        queue = TaskQueue.local("bench", TaskQueueConfig.builder().concurrency(2).build(), registry).start();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        queue.close(Duration.ofSeconds(10));
        System.out.println("[tasks] " + queue.stats());
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(WINDOW)
    public Object ignoreReports() {
        return window(quiet);
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(WINDOW)
    public Object withReports() {
        return window(TaskOptions.DEFAULTS);
    }

    private Object window(TaskOptions options) {
        CompletableFuture<?>[] results = new CompletableFuture<?>[WINDOW];
        for (int i = 0; i < WINDOW; i++) {
            TaskCall<Long> call = queue.call("inc", options, (long) i);
            results[i] = call.result();
        }
        return CompletableFuture.allOf(results).join();
    }
}
