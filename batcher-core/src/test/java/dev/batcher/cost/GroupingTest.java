package dev.batcher.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.limit.ProvisionedCapacity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How operations become batches: per watcher, batchable or alone, max batch size, flush interval, manual flush. */
class GroupingTest {

    @RegisterExtension
    final TestBatchers batchers = new TestBatchers();

    private final TestBatchers.Batches<String> a = new TestBatchers.Batches<>();
    private final TestBatchers.Batches<String> b = new TestBatchers.Batches<>();

    @Test
    void batchableOperationsAreGroupedPerWatcherAtTheFlushIntervalAndOthersGoAlone() {
        Batcher batcher = batchers.create("group", batchers.options().build());
        batcher.start();
        batcher.enqueue(Operation.of(a.watcher, 1, "a1"));
        batcher.enqueue(Operation.of(b.watcher, 1, "b1"));
        batcher.enqueue(Operation.of(a.watcher, 1, "a2"));
        batcher.enqueue(Operation.single(a.watcher, 1, "a3"));
        batcher.enqueue(Operation.of(b.watcher, 1, "b2"));

        await().until(() -> a.batches.size() == 1);
        assertThat(a.batches).containsExactly(List.of("a3"));
        batchers.clock.advance(Duration.ofMillis(99));
        assertThat(a.batches).hasSize(1);
        assertThat(b.batches).isEmpty();

        batchers.clock.advance(Duration.ofMillis(1));

        await().until(() -> a.batches.size() == 2 && b.batches.size() == 1);
        assertThat(a.batches).containsExactly(List.of("a3"), List.of("a1", "a2"));
        assertThat(b.batches).containsExactly(List.of("b1", "b2"));
    }

    @Test
    void aWatchersBatchesAreCutAtItsMaxBatchSize() {
        Batcher batcher = batchers.create("size", batchers.options().build());
        Watcher<String> three = a.watcher.withMaxBatchSize(3);
        batcher.start();
        IntStream.range(0, 7).forEach(i -> batcher.enqueue(Operation.of(three, 1, "op" + i)));

        await().until(() -> a.batches.size() == 2);
        assertThat(a.sizes()).containsExactly(3, 3);
        batchers.clock.advance(Duration.ofMillis(100));
        await().until(() -> a.batches.size() == 3);
        assertThat(a.batches.get(2)).containsExactly("op6");
    }

    @Test
    void withALimiterNoBatchCostsMoreThanOneFlushIntervalOfCapacity() {
        // 1,000 per second x 100 ms: batches of at most 100, so ten operations of 10.
        Batcher batcher = batchers.create("cap", batchers.options()
                .capacityLimiter(new ProvisionedCapacity(1_000)).build());
        batcher.start();
        IntStream.range(0, 25).forEach(i -> batcher.enqueue(Operation.of(a.watcher, 10, "op" + i)));

        await().until(() -> a.batches.size() == 2);
        assertThat(a.sizes()).containsExactly(10, 10);
        batchers.clock.advance(Duration.ofMillis(100));
        await().until(() -> a.batches.size() == 3);
        assertThat(a.sizes()).containsExactly(10, 10, 5);
    }

    @Test
    void flushCutsOpenBatchesNowAndCompletesWhenTheyAreDone() {
        Batcher batcher = batchers.create("flush", batchers.options().flushInterval(Duration.ofHours(1)).build());
        TestBatchers.Recorder events = new TestBatchers.Recorder();
        batcher.addListener(events);
        batcher.start();
        batcher.enqueue(Operation.of(a.watcher, 1, "x"));
        batcher.enqueue(Operation.of(a.watcher, 1, "y"));
        batcher.enqueue(Operation.of(b.watcher, 1, "z"));

        CompletableFuture<Void> flushed = batcher.flush();

        assertThat(flushed).succeedsWithin(Duration.ofSeconds(5));
        assertThat(a.batches).containsExactly(List.of("x", "y"));
        assertThat(b.batches).containsExactly(List.of("z"));
        assertThat(batcher.neededCapacity()).isZero();
        await().until(() -> events.names("flush").size() == 2);
        assertThat(events.names("flush")).containsExactly("flush-start", "flush-done");
    }

    @Test
    void batchEventsCarryTheOperationsWhenEmitBatchIsOn() {
        Batcher batcher = batchers.create("emit", batchers.options().emitBatch(true).build());
        TestBatchers.Recorder events = new TestBatchers.Recorder();
        batcher.addListener(events);
        batcher.start();
        Operation<String> op = Operation.single(a.watcher, 3, "only");
        batcher.enqueue(op);

        await().until(() -> events.count(BatcherEvent.BATCH) == 1);
        BatcherEvent batch = events.events.stream().filter(e -> e.name().equals(BatcherEvent.BATCH)).findFirst()
                .orElseThrow();
        assertThat(batch.value()).isEqualTo(1);
        assertThat(batch.operations()).containsExactly(op);
    }
}
