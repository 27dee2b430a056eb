package dev.batcher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every pipeline the benchmarks compare does the work they count: two producers put items, and once the pipeline is
 * closed its sink has consumed every item (checksum included) in batches of 100 on average or fewer, a pipeline with
 * futures returned one per item, and every one of them is complete. A pipeline that lost items, or returned before
 * its futures completed, would make its numbers meaningless.
 */
class PipelinesTest {

    private static final int PRODUCERS = 2;

    @ParameterizedTest
    @ValueSource(strings = {"jctoolsMpsc", "jctoolsMpscFutures", "jctoolsMpscFuturesInline", "abqDrainTo",
            "dispatcherEnqueue", "dispatcherSubmit", "durableIntervalEnqueue", "durableIntervalSubmit",
            "durableAlwaysSubmit", "reactorBufferTimeout", "disruptorBlocking", "disruptorYielding",
            "disruptorSleeping", "gaxBatcher"})
    @Timeout(60)
    void consumesEveryItemAndCompletesEveryFuture(String impl) throws Exception {
        // fsync always: a few milliseconds per call on a slow disk.
        int perProducer = impl.startsWith("durableAlways") ? 100 : 20_000;
        boolean withFutures = impl.contains("Submit") || impl.contains("Futures") || impl.equals("gaxBatcher");
        Pipeline pipeline = Pipelines.create(impl);
        Callable<List<Object>> producer = () -> {
            List<Object> returned = new ArrayList<>(perProducer);
            for (int i = 0; i < perProducer; i++) {
                returned.add(pipeline.put(Pipelines.ITEM));
            }
            return returned;
        };
        List<Object> returned = new ArrayList<>();
        ExecutorService producers = Executors.newFixedThreadPool(PRODUCERS);
        try {
            for (Future<List<Object>> done : producers.invokeAll(List.of(producer, producer))) {
                returned.addAll(done.get()); // a producer's exception fails the test here
            }
        } finally {
            producers.shutdownNow();
            assertThat(producers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        pipeline.close();

        long items = (long) PRODUCERS * perProducer;
        CountingSink sink = pipeline.sink();
        assertThat(sink.items()).isEqualTo(items);
        assertThat(sink.checksum()).isEqualTo(items * Pipelines.ITEM);
        assertThat(sink.batches()).isBetween((items + Pipeline.BATCH_ITEMS - 1) / Pipeline.BATCH_ITEMS, items);
        assertThat(returned).hasSize((int) items);
        if (withFutures) {
            assertThat(returned).allSatisfy(future -> assertThat(future).isInstanceOf(Future.class)
                    .matches(f -> ((Future<?>) f).isDone(), "done after close"));
        } else {
            assertThat(returned).containsOnlyNulls();
        }
    }
}
