package dev.batcher.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.batcher.DropReason;
import dev.batcher.limit.ProvisionedCapacity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pause (go-batcher's) and throttling (beyond it): pause timing, pace reduction, retry, recovery. */
class PauseAndThrottleTest {

    @RegisterExtension
    final TestBatchers batchers = new TestBatchers();

    private final TestBatchers.Batches<Integer> sink = new TestBatchers.Batches<>();
    private final TestBatchers.Recorder events = new TestBatchers.Recorder();

    @Test
    void aPauseHoldsProcessingForPauseTimeAndASecondPauseDoesNotExtendIt() {
        Batcher batcher = batchers.create("pause", batchers.options().build());
        batcher.addListener(events);
        Watcher<Integer> one = sink.watcher.withMaxBatchSize(1);
        batcher.start();
        batcher.pause();
        batcher.enqueue(Operation.of(one, 1, 1));
        batchers.clock.advance(Duration.ofMillis(250));
        batcher.pause();
        batchers.clock.advance(Duration.ofMillis(249));
        assertThat(sink.batches).isEmpty();
        assertThat(batcher.stats().paused()).isTrue();

        batchers.clock.advance(Duration.ofMillis(1));

        await().until(() -> sink.batches.size() == 1);
        await().until(() -> events.count(BatcherEvent.RESUME) == 1);
        assertThat(events.names()).containsExactly(BatcherEvent.PAUSE, BatcherEvent.RESUME);
        assertThat(events.values(BatcherEvent.PAUSE)).containsExactly(500L);
        assertThat(batcher.stats().paused()).isFalse();
    }

    @Test
    void anOperatorResumeEndsAPauseEarly() {
        Batcher batcher = batchers.create("resume", batchers.options().build());
        batcher.addListener(events);
        Watcher<Integer> one = sink.watcher.withMaxBatchSize(1);
        batcher.start();
        batcher.pause();
        batcher.enqueue(Operation.of(one, 1, 1));
        batchers.clock.advance(Duration.ofMillis(100));
        assertThat(sink.batches).isEmpty();

        batcher.resume();

        await().until(() -> sink.batches.size() == 1);
        assertThat(batcher.stats().paused()).isFalse();
        batchers.clock.advance(Duration.ofMillis(400)); // the cancelled timer does not resume a second time
        await().until(() -> events.count(BatcherEvent.RESUME) == 1);
        assertThat(events.names()).containsExactly(BatcherEvent.PAUSE, BatcherEvent.RESUME);
    }

    @Test
    void aPauseBeforeStartIsIgnored() {
        Batcher batcher = batchers.create("early-pause", batchers.options().build());
        batcher.addListener(events);
        batcher.pause();
        batcher.start();
        batcher.enqueue(Operation.single(sink.watcher, 1, 1));
        await().until(() -> sink.batches.size() == 1);
        assertThat(events.names()).doesNotContain(BatcherEvent.PAUSE);
    }

    @Test
    void aThrottledBatchPausesTheBatcherHalvesItsPaceAndIsRetriedAfterThePause() {
        ProvisionedCapacity limiter = new ProvisionedCapacity(1_000);
        Batcher batcher = batchers.create("throttled", batchers.options().capacityLimiter(limiter)
                .throttle(0.5, 0.1).build());
        batcher.addListener(events);
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        Watcher<Integer> flaky = Watcher.of(ops -> {
            attempts.add(ops.get(0).attempt());
            if (attempts.size() == 1) {
                throw new ThrottledException("429 Too Many Requests");
            }
            sink.batches.add(TestBatchers.payloads(ops));
        });
        batcher.start();
        batcher.enqueue(Operation.single(flaky, 10, 1));

        await().until(() -> events.count(BatcherEvent.PAUSE) == 1);
        assertThat(events.names()).containsSubsequence(BatcherEvent.THROTTLE, BatcherEvent.PAUSE);
        assertThat(events.values(BatcherEvent.THROTTLE)).containsExactly(500L);
        assertThat(batcher.stats().pace()).isEqualTo(500);
        assertThat(batcher.stats().throttles()).isEqualTo(1);
        assertThat(batcher.neededCapacity()).isEqualTo(10);

        batchers.clock.advance(Duration.ofMillis(499));
        assertThat(sink.batches).isEmpty();
        assertThat(batcher.stats().pace()).isEqualTo(500); // no recovery while paused
        batchers.clock.advance(Duration.ofMillis(1));

        await().until(() -> sink.batches.size() == 1);
        assertThat(attempts).containsExactly(1, 2);
        assertThat(batcher.stats().retried()).isEqualTo(1);
        await().until(() -> batcher.neededCapacity() == 0);
        // The pace recovers by 10% of the capacity every capacity interval.
        batchers.clock.advance(Duration.ofMillis(200));
        assertThat(batcher.stats().pace()).isGreaterThan(500).isLessThan(1_000);
        batchers.clock.advance(Duration.ofSeconds(1));
        assertThat(batcher.stats().pace()).isEqualTo(1_000);
    }

    @Test
    void afterThrottlingBatchesGoAtTheLowerPace() {
        // 1,000 per second, 100 ms flushes, batches of 10 x 10 = 100: one flush interval's worth each.
        Batcher batcher = batchers.create("slower", batchers.options()
                .capacityLimiter(new ProvisionedCapacity(1_000)).throttle(0.5, 0.001).build());
        Watcher<Integer> tens = sink.watcher.withMaxBatchSize(10);
        batcher.start();
        batcher.throttle();
        IntStream.range(0, 60).forEach(i -> batcher.enqueue(Operation.of(tens, 10, i)));
        batchers.clock.advance(Duration.ofMillis(500)); // the pause
        // Half an interval's worth was saved up at the lower pace: one batch now, the next 100 ms later.
        await().until(() -> sink.batches.size() == 1);
        batchers.clock.advance(Duration.ofMillis(100));
        await().until(() -> sink.batches.size() == 2);

        // At the full pace the next would go 100 ms later; at about half of it, 200 ms later.
        batchers.clock.advance(Duration.ofMillis(190));
        assertThat(sink.batches).hasSize(2);
        batchers.clock.advance(Duration.ofMillis(10));
        await().until(() -> sink.batches.size() == 3);
        assertThat(batcher.stats().pace()).isCloseTo(500, within(5.0));
    }

    @Test
    void aBatchThrottledOnItsLastAttemptIsDropped() {
        List<DropReason> reasons = new CopyOnWriteArrayList<>();
        Batcher batcher = batchers.create("exhausted", batchers.options()
                .dropHandler((ops, reason, cause) -> reasons.add(reason)).build());
        AtomicInteger calls = new AtomicInteger();
        Watcher<Integer> alwaysThrottled = Watcher.<Integer>of(ops -> {
            calls.incrementAndGet();
            throw new IllegalStateException("wrapped", new ThrottledException("RequestRateTooLarge"));
        }).withMaxAttempts(2);
        batcher.start();
        batcher.enqueue(Operation.single(alwaysThrottled, 4, 1));
        await().until(() -> calls.get() == 1);
        batchers.clock.advance(Duration.ofMillis(500));

        await().until(() -> reasons.size() == 1);
        assertThat(calls).hasValue(2);
        assertThat(reasons).containsExactly(DropReason.NOT_RETRYABLE);
        assertThat(batcher.neededCapacity()).isZero();
        assertThat(batcher.stats().throttles()).isEqualTo(2);
    }
}
