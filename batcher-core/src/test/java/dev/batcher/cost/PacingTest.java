package dev.batcher.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.limit.ProvisionedCapacity;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Capacity pacing and capacity requests, on the manual clock. */
class PacingTest {

    @RegisterExtension
    final TestBatchers batchers = new TestBatchers();

    private final TestBatchers.Batches<Integer> sink = new TestBatchers.Batches<>();

    @Test
    void batchesGoAtTheProvisionedCapacityAtLeastOnePerFlushGoingIntoDebt() {
        // 1,000 per second, 100 ms flushes: 100 per flush. Batches of 5 x 10 = 50.
        Batcher batcher = batchers.create("pace", batchers.options()
                .capacityLimiter(new ProvisionedCapacity(1_000)).build());
        Watcher<Integer> fives = sink.watcher.withMaxBatchSize(5);
        IntStream.range(0, 40).forEach(i -> batcher.enqueue(Operation.of(fives, 10, i)));

        batcher.start();

        // One flush interval's worth (100) goes at once, plus the batch that goes into debt.
        await().until(() -> sink.batches.size() == 3);
        for (int expected = 4; expected <= 8; expected++) {
            batchers.clock.advance(Duration.ofMillis(49));
            assertThat(sink.batches).hasSize(expected - 1);
            batchers.clock.advance(Duration.ofMillis(1));
            int n = expected;
            await().until(() -> sink.batches.size() == n);
        }
        assertThat(batcher.stats().processed()).isEqualTo(40);
    }

    @Test
    void aBatchCostingMoreThanAFlushIntervalStillGoesAndTheNextWaitsOutItsDebt() {
        // 100 per second, 100 ms flushes: 10 per flush, but every single costs 30.
        Batcher batcher = batchers.create("debt", batchers.options()
                .capacityLimiter(new ProvisionedCapacity(100)).build());
        IntStream.range(0, 3).forEach(i -> batcher.enqueue(Operation.single(sink.watcher, 30, i)));
        batcher.start();

        await().until(() -> sink.batches.size() == 1);
        // Balance 10 - 30 = -20: 200 ms at 100 per second before the next.
        batchers.clock.advance(Duration.ofMillis(199));
        assertThat(sink.batches).hasSize(1);
        batchers.clock.advance(Duration.ofMillis(1));
        await().until(() -> sink.batches.size() == 2);
        batchers.clock.advance(Duration.ofMillis(299));
        assertThat(sink.batches).hasSize(2);
        batchers.clock.advance(Duration.ofMillis(1));
        await().until(() -> sink.batches.size() == 3);
    }

    @Test
    void capacityGrantedWhileABatchWaitsOutItsDebtShortensTheWait() {
        // 10 per second (a shared limiter's reserved capacity): a single costing 50 leaves a debt of 49, 4.9 s.
        AdjustableCapacity limiter = new AdjustableCapacity(1_000, 10);
        Batcher batcher = batchers.create("raised", batchers.options().capacityLimiter(limiter).build());
        IntStream.range(0, 2).forEach(i -> batcher.enqueue(Operation.single(sink.watcher, 50, i)));
        batcher.start();
        await().until(() -> sink.batches.size() == 1);
        long waitingSince = batchers.clock.nanoTime();

        // A lease is acquired: 1,000 per second, read at the next capacity interval. The debt (49 less what 10 per
        // second refilled) is then waited out at the new pace: the second batch goes within a few intervals, not
        // after the 4.9 s computed at the old pace.
        limiter.grant(1_000);
        await().pollInterval(Duration.ofMillis(5)).until(() -> {
            if (sink.batches.size() == 2) {
                return true;
            }
            batchers.clock.advance(Duration.ofMillis(10));
            return false;
        });
        assertThat(Duration.ofNanos(batchers.clock.nanoTime() - waitingSince)).isLessThan(Duration.ofMillis(500));
    }

    @Test
    void withNoCapacityGrantedOneBatchPerFlushIntervalStillGoes() {
        AdjustableCapacity limiter = new AdjustableCapacity(1_000, 0);
        Batcher batcher = batchers.create("trickle", batchers.options().capacityLimiter(limiter).build());
        IntStream.range(0, 4).forEach(i -> batcher.enqueue(Operation.single(sink.watcher, 10, i)));
        batcher.start();

        await().until(() -> sink.batches.size() == 1);
        batchers.clock.advance(Duration.ofMillis(99));
        assertThat(sink.batches).hasSize(1);
        batchers.clock.advance(Duration.ofMillis(1));
        await().until(() -> sink.batches.size() == 2);

        // Once capacity is granted (read at the next capacity interval), the rest go at its pace: 10 every 10 ms.
        limiter.grant(1_000);
        batchers.clock.advance(Duration.ofMillis(100));
        await().until(() -> sink.batches.size() == 3);
        batchers.clock.advance(Duration.ofMillis(9));
        assertThat(sink.batches).hasSize(3);
        batchers.clock.advance(Duration.ofMillis(1));
        await().until(() -> sink.batches.size() == 4);
    }

    @Test
    void theNeededCapacityIsSentToTheLimiterEveryCapacityInterval() throws Exception {
        ProvisionedCapacity limiter = new ProvisionedCapacity(1_000);
        Batcher batcher = batchers.create("request", batchers.options().capacityLimiter(limiter)
                .capacityInterval(Duration.ofMillis(200)).build());
        TestBatchers.Recorder events = new TestBatchers.Recorder();
        batcher.addListener(events);
        CountDownLatch release = new CountDownLatch(1);
        Watcher<Integer> slow = Watcher.<Integer>of(ops -> release.await()).withMaxBatchSize(1);
        batcher.start();
        IntStream.range(0, 3).forEach(i -> batcher.enqueue(Operation.of(slow, 10, i)));
        assertThat(batcher.neededCapacity()).isEqualTo(30);

        batchers.clock.advance(Duration.ofMillis(199));
        assertThat(limiter.target()).isZero();
        batchers.clock.advance(Duration.ofMillis(1));
        assertThat(limiter.target()).isEqualTo(30);

        release.countDown();
        await().until(() -> batcher.neededCapacity() == 0);
        batchers.clock.advance(Duration.ofMillis(200));
        assertThat(limiter.target()).isZero();
        await().until(() -> events.count(BatcherEvent.REQUEST) == 2);
        assertThat(events.values(BatcherEvent.REQUEST)).containsExactly(30L, 0L);
        // The limiter's own events are forwarded.
        assertThat(events.names()).contains(BatcherEvent.TARGET);
        assertThat(batcher.stats().grantedCapacity()).isEqualTo(1_000);
    }
}
