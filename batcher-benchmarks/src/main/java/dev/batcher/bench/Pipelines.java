package dev.batcher.bench;

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
            case "jctoolsMpsc" -> new JctoolsMpscPipeline();
            case "abqDrainTo" -> new AbqDrainToPipeline();
            case "reactorBufferTimeout" -> new ReactorPipeline();
            case "disruptorBlocking" -> new DisruptorPipeline(new com.lmax.disruptor.BlockingWaitStrategy());
            case "disruptorYielding" -> new DisruptorPipeline(new com.lmax.disruptor.YieldingWaitStrategy());
            case "disruptorSleeping" -> new DisruptorPipeline(new com.lmax.disruptor.SleepingWaitStrategy());
            case "gaxBatcher" -> new GaxPipeline();
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        };
    }
}
