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
 * End-to-end throughput in items per second: one operation is one item handed to the pipeline by one of 1, 2 or 4
 * producer threads ({@code p1}, {@code p2}, {@code p4}). Every pipeline has a bounded buffer of 65,536 items that
 * blocks producers when full, so in steady state producers go no faster than the consumer: the score is the rate
 * at which items reach the counting sink (give or take one buffer per iteration, under 0.5% of an iteration).
 *
 * <p>{@code impl}: {@code dispatcherEnqueue} (fire-and-forget), {@code dispatcherSubmit} (a future per item), and
 * the peers {@code jctoolsMpsc} (JCTools {@code MpscArrayQueue} + {@code drain(consumer, 100)}, the practical limit of
 * a bounded hand-off; its producers yield and retry when it is full), {@code abqDrainTo},
 * {@code reactorBufferTimeout}, {@code disruptorBlocking}, {@code disruptorYielding}, {@code disruptorSleeping} and
 * {@code gaxBatcher} (a future per item).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ThroughputBench {

    @Param({"dispatcherEnqueue", "dispatcherSubmit", "jctoolsMpsc", "jctoolsMpscFutures", "abqDrainTo",
            "reactorBufferTimeout", "disruptorBlocking", "disruptorYielding", "gaxBatcher"})
    public String impl;

    private Pipeline pipeline;

    @Setup(Level.Trial)
    public void setUp() {
        pipeline = Pipelines.create(impl);
        Tenure.promote();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        pipeline.close();
        System.out.println("[" + impl + "] " + pipeline.sink());
    }

    @Benchmark
    @Threads(1)
    public Object p1() throws Exception {
        return pipeline.put(Pipelines.ITEM);
    }

    @Benchmark
    @Threads(2)
    public Object p2() throws Exception {
        return pipeline.put(Pipelines.ITEM);
    }

    @Benchmark
    @Threads(4)
    public Object p4() throws Exception {
        return pipeline.put(Pipelines.ITEM);
    }
}
