package dev.batcher.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.DropReason;
import dev.batcher.limit.ProvisionedCapacity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Stop, drain, the shutdown event, and listeners that cannot hold up the batcher. */
class BatcherLifecycleTest {

    @RegisterExtension
    final TestBatchers batchers = new TestBatchers();

    private final TestBatchers.Batches<Integer> sink = new TestBatchers.Batches<>();
    private final TestBatchers.Recorder events = new TestBatchers.Recorder();

    @Test
    void closeProcessesWhatIsBufferedThenEmitsShutdownExactlyOnce() throws Exception {
        AdjustableCapacity limiter = new AdjustableCapacity(1_000, 1_000);
        Batcher batcher = batchers.create("stop", batchers.options().capacityLimiter(limiter)
                .flushInterval(Duration.ofHours(1)).build());
        batcher.addListener(events);
        batcher.start();
        IntStream.range(0, 3).forEach(i -> batcher.enqueue(Operation.of(sink.watcher, 1, i)));

        Thread other = new Thread(() -> batcher.close());
        other.start();
        assertThat(batcher.close(Duration.ofSeconds(5))).isTrue();
        other.join(5_000);
        batcher.close();
        batcher.shutdownNow();

        assertThat(sink.batches).containsExactly(List.of(0, 1, 2));
        assertThat(limiter.closed).isTrue();
        await().until(() -> events.count(BatcherEvent.SHUTDOWN) == 1);
        assertThat(events.names().get(events.names().size() - 1)).isEqualTo(BatcherEvent.SHUTDOWN);
        BatcherStats stats = batcher.stats();
        assertThat(stats.closed()).isTrue();
        assertThat(stats.drained()).isTrue();
        assertThat(stats.isBalanced()).isTrue();
        assertThat(batcher.neededCapacity()).isZero();
    }

    @Test
    void aBatcherClosedBeforeStartDropsWhatItHoldsWithoutProcessingIt() {
        List<Object> dropped = new CopyOnWriteArrayList<>();
        List<DropReason> reasons = new CopyOnWriteArrayList<>();
        Batcher batcher = batchers.create("never", batchers.options().dropHandler((ops, reason, cause) -> {
            ops.forEach(op -> dropped.add(op.payload()));
            reasons.add(reason);
        }).build());
        batcher.addListener(events);
        batcher.enqueue(Operation.of(sink.watcher, 2, 1));
        batcher.enqueue(Operation.of(sink.watcher, 2, 2));

        assertThat(batcher.close(Duration.ofSeconds(5))).isFalse();

        await().until(() -> dropped.size() == 2);
        assertThat(dropped).containsExactly(1, 2);
        assertThat(reasons).containsOnly(DropReason.SHUTDOWN);
        assertThat(sink.batches).isEmpty();
        assertThat(batcher.neededCapacity()).isZero();
        await().until(() -> events.count(BatcherEvent.SHUTDOWN) == 1);
    }

    @Test
    void aSlowOrFailingListenerDoesNotHoldUpTheBatcher() throws Exception {
        Batcher batcher = Batcher.create("listeners", BatcherConfig.builder().emitBatch(true)
                .capacityLimiter(new ProvisionedCapacity(1_000_000)).flushInterval(Duration.ofMillis(1)).build());
        CountDownLatch release = new CountDownLatch(1);
        batcher.addListener(event -> {
            throw new IllegalStateException("listener bug");
        });
        batcher.addListener(event -> {
            try {
                release.await();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        Watcher<Integer> small = sink.watcher.withMaxBatchSize(1);
        try {
            batcher.start();
            int n = 6_000; // more batch events than the event queue holds
            IntStream.range(0, n).forEach(i -> batcher.enqueue(Operation.of(small, 1, i)));

            await().until(() -> batcher.stats().processed() == n);
            assertThat(batcher.close(Duration.ofSeconds(10))).isTrue();
        }
        finally {
            release.countDown();
            batcher.shutdownNow();
        }
    }
}
