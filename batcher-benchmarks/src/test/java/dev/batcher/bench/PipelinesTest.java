package dev.batcher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every pipeline the benchmarks compare does the work they count: two producers put items, and once the pipeline is
 * closed its sink has consumed every item, in full batches but for the last ones, and every future {@code put}
 * returned is complete. A pipeline that lost items, or returned before its futures completed, would make its
 * numbers meaningless.
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
        Pipeline pipeline = Pipelines.create(impl);
        List<Object> futures = new ArrayList<>();
        List<Thread> producers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            List<Object> mine = new ArrayList<>(perProducer);
            Thread producer = new Thread(() -> {
                try {
                    for (int i = 0; i < perProducer; i++) {
                        mine.add(pipeline.put(Pipelines.ITEM));
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
                synchronized (futures) {
                    futures.addAll(mine);
                }
            });
            producers.add(producer);
            producer.start();
        }
        for (Thread producer : producers) {
            producer.join();
        }
        pipeline.close();

        assertThat(failures).isEmpty();
        long items = (long) PRODUCERS * perProducer;
        CountingSink sink = pipeline.sink();
        assertThat(sink.items()).isEqualTo(items);
        assertThat(sink.checksum()).isEqualTo(items * Pipelines.ITEM);
        assertThat(sink.batches()).isBetween((items + Pipeline.BATCH_ITEMS - 1) / Pipeline.BATCH_ITEMS, items);
        for (Object future : futures) {
            if (future != null) {
                assertThat(future).isInstanceOf(Future.class);
                assertThat(((Future<?>) future).isDone()).as("%s's future after close", impl).isTrue();
            }
        }
    }
}
