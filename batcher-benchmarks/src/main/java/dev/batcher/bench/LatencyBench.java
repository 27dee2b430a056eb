package dev.batcher.bench;

import java.util.concurrent.TimeUnit;
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
 * Submit latency percentiles ({@link Mode#SampleTime}): the time one hand-off takes, with one producer ({@code t1},
 * uncontended) and four ({@code t4}): {@code Dispatcher.submit} (returns the item's future, does not wait for it),
 * {@code Dispatcher.enqueue}, JCTools {@code MpscArrayQueue.offer} (+ the consumer's wake-up when it is parked), the
 * same with a future per item completed on a third thread ({@code jctoolsMpscFutures}, the reference for
 * {@code submit}) and {@code ArrayBlockingQueue.put}, the pipelines of {@link ThroughputBench}. All of them hold the producer
 * while their 65,536-item buffer is full, so under contention the tail includes waiting for room.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class LatencyBench {

    @Param({"dispatcherSubmit", "dispatcherEnqueue", "jctoolsMpsc", "jctoolsMpscFutures", "abqDrainTo"})
    public String target;

    private Pipeline pipeline;

    @Setup(Level.Trial)
    public void setUp() {
        pipeline = Pipelines.create(target);
        Tenure.promote();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        pipeline.close();
        System.out.println("[" + target + "] " + pipeline.sink());
    }

    @Benchmark
    @Threads(1)
    public Object t1() throws Exception {
        return pipeline.put(Pipelines.ITEM);
    }

    @Benchmark
    @Threads(4)
    public Object t4() throws Exception {
        return pipeline.put(Pipelines.ITEM);
    }
}
