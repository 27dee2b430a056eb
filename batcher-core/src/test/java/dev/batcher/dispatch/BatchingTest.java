package dev.batcher.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import dev.batcher.time.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BatchingTest {

    @RegisterExtension
    final TestDispatchers dispatchers = new TestDispatchers();

    private final ManualScheduler clock = dispatchers.clock;
    private final RecordingSender<Integer> sender = new RecordingSender<>();
    private Dispatcher<Integer> dispatcher;

    private DispatcherConfig.Builder<Integer> options() {
        return DispatcherConfig.<Integer>builder().scheduler(clock).maxBatchAge(Duration.ofMillis(100));
    }

    @Test
    void fullBatchesAreSentAtOnceAndTheRestWhenItGetsOld() {
        dispatcher = dispatchers.create("count", options().maxBatchItems(100).build(), sender);
        IntStream.range(0, 250).forEach(dispatcher::enqueue);

        await().until(() -> sender.batches.size() == 2);
        assertThat(sender.sizes()).containsExactly(100, 100);

        clock.advance(Duration.ofMillis(99));
        assertThat(dispatcher.stats().bufferedItems()).isEqualTo(50);
        assertThat(sender.batches).hasSize(2);

        clock.advance(Duration.ofMillis(1));
        await().until(() -> sender.batches.size() == 3);
        assertThat(sender.items()).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 250).boxed().toList());
        assertThat(sender.sizes()).contains(50);
    }

    @Test
    void anItemThatWaitedWhileEverySenderWasBusyAgesFromWhenItCameNotFromWhenASenderCameBack() throws Exception {
        // Senders are the ring's consumer: with the only one inside the sink, item 3 waits in the ring. Built without
        // the fixture, whose clock hook would move it into a batch on every advance: here only the engine does.
        ManualScheduler ownClock = new ManualScheduler();
        CountDownLatch release = new CountDownLatch(1);
        RecordingSender<Integer> slow = new RecordingSender<>() {
            @Override
            void beforeSend(dev.batcher.Batch<Integer> batch) throws Exception {
                if (batch.items().contains(1)) {
                    release.await();
                }
            }
        };
        Dispatcher<Integer> busy = Dispatcher.create("away", DispatcherConfig.<Integer>builder().scheduler(ownClock)
                .maxBatchItems(2).maxBatchAge(Duration.ofMillis(100)).maxConcurrentSends(1).build(), slow);
        try {
            busy.enqueue(1);
            busy.enqueue(2);
            await().until(() -> slow.attempts.size() == 1);
            CompletableFuture<Void> third = busy.submit(3);
            ownClock.advance(Duration.ofMillis(150));
            release.countDown();

            // Item 3 is 150 ms old, past max-batch-age: its batch is due at once, not 100 ms after the sender is back.
            await().untilAsserted(() -> {
                ownClock.runDue();
                assertThat(third).isDone();
            });
            assertThat(slow.batches).containsExactly(List.of(1, 2), List.of(3));
        }
        finally {
            assertThat(busy.close(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void whileOneSenderIsInTheSinkAnIdleOneWatchesTheRingAndSendsTheNextFullBatchAtOnce() throws Exception {
        // Senders are the ring's consumer: a sender that leaves for the sink must hand the watch to an idle one, or
        // the next batch would wait in the ring for the age cut (an hour here; this clock never moves).
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger inside = new AtomicInteger();
        dispatcher = dispatchers.create("handoff", options().maxBatchItems(2).maxBatchAge(Duration.ofHours(1))
                .maxConcurrentSends(3).build(), batch -> {
                    inside.incrementAndGet();
                    release.await();
                });
        for (int b = 1; b <= 3; b++) {
            dispatcher.enqueue(2 * b);
            dispatcher.enqueue(2 * b + 1);
            int expected = b;
            await().until(() -> inside.get() == expected);
        }
        release.countDown();
        assertThat(dispatcher.close(Duration.ofSeconds(5))).isTrue();
        assertThat(dispatcher.stats().sent()).isEqualTo(6);
    }

    @Test
    void aPartialBatchIsSentWhenItGetsOldEvenIfNoMoreItemsArrive() {
        dispatcher = dispatchers.create("age", options().maxBatchItems(100).build(), sender);
        CompletableFuture<Void> first = dispatcher.submit(1);
        clock.advance(Duration.ofMillis(60));
        CompletableFuture<Void> second = dispatcher.submit(2);
        assertThat(first).isNotDone();

        clock.advance(Duration.ofMillis(40));

        await().until(first::isDone);
        assertThat(second).succeedsWithin(Duration.ofSeconds(5));
        assertThat(sender.batches).containsExactly(List.of(1, 2));
    }

    @Test
    void aSteadyStreamKeepsOneAgeTimerArmedNotMore() {
        // An age cut that found items in the intake opened a batch (arming a timer) and then armed another for it:
        // under a steady stream the timers doubled, and the timer thread ended up busy all the time.
        dispatcher = dispatchers.create("steady", options().maxBatchItems(1_000).bufferMaxItems(100_000).build(),
                sender);
        dispatcher.enqueue(-1);
        for (int tick = 0; tick < 60; tick++) {
            // A burst arrives just before the cut, so that the cut finds items in the intake.
            clock.schedule(() -> IntStream.range(0, 5_000).forEach(dispatcher::enqueue),
                    Duration.ofMillis(100).toNanos() - 1);
            clock.advance(Duration.ofMillis(100));
            assertThat(clock.pending()).as("timers armed after cut %d (one age timer, one send timeout)", tick)
                    .isLessThanOrEqualTo(2);
        }
        dispatcher.flush();
        await().until(() -> sender.items().size() == 1 + 60 * 5_000);
    }

    @Test
    void ageIsCountedFromTheFirstItemOfEachBatch() {
        dispatcher = dispatchers.create("age2", options().maxBatchItems(2).build(), sender);
        dispatcher.enqueue(1);
        dispatcher.enqueue(2); // full: sent at once
        clock.advance(Duration.ofMillis(50));
        dispatcher.enqueue(3); // new batch, opened at t=50
        clock.advance(Duration.ofMillis(60)); // t=110: batch 3 is 60 ms old
        await().until(() -> sender.batches.size() == 1);
        assertThat(dispatcher.stats().bufferedItems()).isEqualTo(1);
        clock.advance(Duration.ofMillis(40)); // t=150
        await().until(() -> sender.batches.size() == 2);
        assertThat(sender.batches).containsExactly(List.of(1, 2), List.of(3));
    }

    @Test
    void batchesAreCutBeforeTheyWouldExceedMaxBatchBytes() {
        dispatcher = dispatchers.create("bytes", options().maxBatchItems(100).maxBatchBytes(10).maxConcurrentSends(1)
                .itemSizer(Integer::longValue).build(), sender);
        List.of(4, 4, 3, 5, 5, 10, 1).forEach(dispatcher::enqueue);
        await().until(() -> sender.batches.size() == 4);
        clock.advance(Duration.ofMillis(100));
        await().until(() -> sender.batches.size() == 5);
        assertThat(sender.batches).containsExactly(List.of(4, 4), List.of(3, 5), List.of(5), List.of(10), List.of(1));
        assertThat(dispatcher.stats().sent()).isEqualTo(7);
    }

    @Test
    void anItemLargerThanMaxBatchBytesOrOfNegativeSizeIsRejectedAtTheCall() {
        dispatcher = dispatchers.create("big", options().maxBatchBytes(10).itemSizer(Integer::longValue).build(), sender);
        assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> dispatcher.submit(11))
                .withMessageContaining("'big'").withMessageContaining("11 bytes")
                .withMessageContaining("max-batch-bytes=10");
        assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> dispatcher.enqueue(-1))
                .withMessageContaining("negative size");
        assertThatExceptionOfType(NullPointerException.class).isThrownBy(() -> dispatcher.submit(null))
                .withMessageContaining("null items");
        assertThat(dispatcher.stats().submitted()).isZero();
    }

    @Test
    void flushSendsPartialBatchesWithoutWaitingForTheirAge() {
        dispatcher = dispatchers.create("flush", options().build(), sender);
        CompletableFuture<Void> future = dispatcher.submit(7);
        dispatcher.flush();
        assertThat(future).succeedsWithin(Duration.ofSeconds(5));
        assertThat(sender.batches).containsExactly(List.of(7));
    }

    @Test
    void heartbeatsKeepTheMinimumRateWhenThereIsNothingToSend() {
        dispatcher = dispatchers.create("beat", options().minBatchesPerSecond(10).build(), sender);
        clock.advance(Duration.ofMillis(100));
        await().until(() -> sender.batches.size() == 1);
        assertThat(sender.batches.get(0)).isEmpty();
        clock.advance(Duration.ofMillis(100));
        await().until(() -> sender.batches.size() == 2);
        assertThat(dispatcher.stats().sentBatches()).isEqualTo(2);
        assertThat(dispatcher.stats().sent()).isZero();
    }

    @Test
    void pauseHoldsBatchesAndResumeSendsThem() {
        dispatcher = dispatchers.create("pause", options().maxBatchItems(1).build(), sender);
        dispatcher.pause();
        dispatcher.enqueue(1);
        assertThat(dispatcher.stats().paused()).isTrue();
        assertThat(dispatcher.stats().bufferedItems()).isEqualTo(1);
        assertThat(sender.batches).isEmpty();
        dispatcher.resume();
        await().until(() -> sender.batches.size() == 1);
    }
}
