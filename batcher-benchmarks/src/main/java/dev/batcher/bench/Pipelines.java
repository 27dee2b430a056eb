package dev.batcher.bench;

import dev.batcher.durable.FsyncPolicy;
import java.nio.file.Path;

/** Creates the pipelines by the names used in the {@code impl} parameters. */
final class Pipelines {

    /** The item every producer submits: preallocated, so that the benchmark itself allocates nothing per item. */
    static final Long ITEM = 42L;

    private Pipelines() {
    }

    static Pipeline create(String impl) {
        return switch (impl) {
            case "dispatcherEnqueue" -> new DispatcherPipeline(false);
            case "dispatcherSubmit" -> new DispatcherPipeline(true);
            case "durableIntervalEnqueue" -> durable(false, FsyncPolicy.INTERVAL, null);
            case "durableIntervalSubmit" -> durable(true, FsyncPolicy.INTERVAL, null);
            case "durableAlwaysEnqueue" -> durable(false, FsyncPolicy.ALWAYS, null);
            case "durableAlwaysSubmit" -> durable(true, FsyncPolicy.ALWAYS, null);
            case "durableStagedIntervalEnqueue" -> durable(false, FsyncPolicy.INTERVAL, DispatcherPipeline.STAGING);
            case "durableStagedIntervalSubmit" -> durable(true, FsyncPolicy.INTERVAL, DispatcherPipeline.STAGING);
            case "jctoolsMpsc" -> new JctoolsMpscPipeline();
            case "jctoolsMpscFutures" -> new JctoolsMpscPipeline(JctoolsMpscPipeline.Futures.ON_COMPLETER);
            case "jctoolsMpscFuturesInline" -> new JctoolsMpscPipeline(JctoolsMpscPipeline.Futures.ON_CONSUMER);
            case "abqDrainTo" -> new AbqDrainToPipeline();
            case "reactorBufferTimeout" -> new ReactorPipeline();
            case "disruptorBlocking" -> new DisruptorPipeline(new com.lmax.disruptor.BlockingWaitStrategy());
            case "disruptorYielding" -> new DisruptorPipeline(new com.lmax.disruptor.YieldingWaitStrategy());
            case "disruptorSleeping" -> new DisruptorPipeline(new com.lmax.disruptor.SleepingWaitStrategy());
            case "gaxBatcher" -> new GaxPipeline();
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        };
    }

    /**
     * The Dispatcher with a durable buffer in a temporary directory (8-byte items, fsync every 10 ms or always),
     * its appends staged in {@code staging} (tmpfs) or, with {@code null}, written to the directory's files directly.
     */
    private static Pipeline durable(boolean futures, FsyncPolicy fsync, Path staging) {
        return new DispatcherPipeline("bench-durable", futures, fsync, staging);
    }
}
