package dev.batcher.dispatch;

import dev.batcher.Batch;
import dev.batcher.BufferFullException;
import dev.batcher.DropReason;
import dev.batcher.FullBehavior;
import dev.batcher.ItemDroppedException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import dev.batcher.time.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FullBufferTest {

    @RegisterExtension
    final TestDispatchers dispatchers = new TestDispatchers();

    private final ManualScheduler clock = dispatchers.clock;
    private final CountDownLatch release = new CountDownLatch(1);
    private final RecordingSender<Integer> blockedSender = new RecordingSender<>() {
        @Override
        void beforeSend(Batch<Integer> batch) throws Exception {
            release.await();
        }
    };
    private final List<List<Integer>> dropped = new CopyOnWriteArrayList<>();
    private final List<DropReason> reasons = new CopyOnWriteArrayList<>();
    private Dispatcher<Integer> dispatcher;

    @AfterEach
    void releaseSender() {
        release.countDown();
    }

    private DispatcherConfig.Builder<Integer> options(FullBehavior behavior) {
        return DispatcherConfig.<Integer>builder().scheduler(clock).maxBatchItems(5).bufferMaxItems(10)
                .maxConcurrentSends(1).fullBehavior(behavior)
                .dropHandler((items, reason, cause) -> {
                    dropped.add(List.copyOf(items));
                    reasons.add(reason);
                });
    }

    @Test
    void dropOldestDropsExactlyTheOldestWaitingBatchesAndReportsThem() {
        dispatcher = dispatchers.create("drop", options(FullBehavior.DROP_OLDEST).build(), blockedSender);
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        IntStream.range(0, 5).forEach(i -> futures.add(dispatcher.submit(i)));
        await().until(() -> dispatcher.stats().inFlightBatches() == 1); // batch 0..4 is being sent
        IntStream.range(5, 20).forEach(i -> futures.add(dispatcher.submit(i)));

        // room for 10 live items: 0..4 in flight; 5..9 then 10..14 were dropped to make room for 10..14, 15..19
        await().until(() -> dropped.size() == 2);
        assertThat(dropped).containsExactly(List.of(5, 6, 7, 8, 9), List.of(10, 11, 12, 13, 14));
        assertThat(reasons).containsOnly(DropReason.OLDEST_DROPPED);
        assertThat(futures.get(7)).failsWithin(Duration.ofSeconds(1)).withThrowableThat()
                .havingCause().isInstanceOf(ItemDroppedException.class)
                .matches(e -> ((ItemDroppedException) e).getReason() == DropReason.OLDEST_DROPPED);
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.dropped(DropReason.OLDEST_DROPPED)).isEqualTo(10);
        assertThat(stats.isBalanced()).isTrue();

        release.countDown();
        clock.advance(Duration.ofSeconds(1));
        await().until(() -> dispatcher.stats().sent() == 10);
        assertThat(blockedSender.items()).containsExactly(0, 1, 2, 3, 4, 15, 16, 17, 18, 19);
        assertThat(futures.get(19)).isCompleted();
    }

    @Test
    void dropOldestNeverRefusesAndDropsTheBatchBeingSentWhenNothingElseIsLeft() {
        dispatcher = dispatchers.create("drop2", options(FullBehavior.DROP_OLDEST).maxBatchItems(10).build(),
                blockedSender);
        List<CompletableFuture<Void>> first = new ArrayList<>();
        IntStream.range(0, 10).forEach(i -> first.add(dispatcher.submit(i)));
        await().until(() -> dispatcher.stats().inFlightItems() == 10);

        CompletableFuture<Void> next = dispatcher.submit(10); // luci DropOldestBatch: never blocks an insert

        await().until(() -> dropped.size() == 1);
        assertThat(dropped).containsExactly(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        assertThat(reasons).containsExactly(DropReason.OLDEST_DROPPED);
        assertThat(first.get(0)).failsWithin(Duration.ofSeconds(1)).withThrowableThat()
                .havingCause().isInstanceOfSatisfying(ItemDroppedException.class,
                        e -> assertThat(e.getReason()).isEqualTo(DropReason.OLDEST_DROPPED));
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.isBalanced()).isTrue();
        // Its sender was interrupted (this sink honours interrupts) and returned; its outcome is ignored.
        await().until(() -> dispatcher.stats().abandonedSends() == 0);

        release.countDown();
        clock.advance(Duration.ofSeconds(1));
        assertThat(next).succeedsWithin(Duration.ofSeconds(5));
        DispatcherStats after = dispatcher.stats();
        assertThat(after.sent()).isEqualTo(1);
        assertThat(after.dropped(DropReason.OLDEST_DROPPED)).isEqualTo(10);
        assertThat(after.abandonedSends()).isZero();
        assertThat(after.isBalanced()).isTrue();
    }

    @Test
    void rejectRefusesAtOnceAndCountsTheItemAsDropped() {
        dispatcher = dispatchers.create("reject", options(FullBehavior.REJECT).build(), blockedSender);
        IntStream.range(0, 10).forEach(dispatcher::enqueue);
        assertThatExceptionOfType(BufferFullException.class).isThrownBy(() -> dispatcher.submit(10))
                .withMessageContaining("Dispatcher 'reject' refused the item")
                .withMessageContaining("buffer.max-items=10")
                .satisfies(e -> assertThat(e.getDispatcherName()).isEqualTo("reject"));
        await().until(() -> dropped.size() == 1);
        assertThat(dropped).containsExactly(List.of(10));
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.submitted()).isEqualTo(11);
        assertThat(stats.droppedByReason()).isEqualTo(Map.of(DropReason.BUFFER_FULL, 1L));
        assertThat(stats.bufferFullFor()).isEqualTo(Duration.ZERO);
        clock.advance(Duration.ofSeconds(3));
        assertThat(dispatcher.stats().bufferFullFor()).isEqualTo(Duration.ofSeconds(3));
        assertThat(stats.isBalanced()).isTrue();
    }

    @Test
    void aBlockedProducerWakesWhenABatchIsAcknowledged() throws Exception {
        List<Long> blockedNanos = new CopyOnWriteArrayList<>();
        dispatcher = dispatchers.create("block", options(FullBehavior.BLOCK).blockTimeout(Duration.ofMinutes(1))
                .listener(new DispatcherListener() {
                    @Override
                    public void onProducerBlocked(long nanos) {
                        blockedNanos.add(nanos);
                    }
                }).build(), blockedSender);
        IntStream.range(0, 10).forEach(dispatcher::enqueue);
        Thread producer = new Thread(() -> dispatcher.enqueue(10), "producer");
        producer.start();
        await().until(() -> producer.getState() == Thread.State.TIMED_WAITING);
        assertThat(dispatcher.stats().submitted()).isEqualTo(10);

        release.countDown();

        producer.join(5_000);
        assertThat(producer.isAlive()).isFalse();
        assertThat(dispatcher.stats().submitted()).isEqualTo(11);
        await().until(() -> blockedNanos.size() == 1);
        clock.advance(Duration.ofSeconds(1));
        await().until(() -> dispatcher.stats().sent() == 11);
    }

    /**
     * Producers blocked on a full buffer wait outside the kernel's lock and are woken by the release of room: a lost
     * wake-up would leave one asleep until its 10-minute block-timeout.
     */
    @Test
    void manyProducersBlockedOnATinyBufferAreEachLetInAsSoonAsRoomComesBack() throws Exception {
        RecordingSender<Integer> sender = new RecordingSender<>();
        dispatcher = dispatchers.create("tiny", options(FullBehavior.BLOCK).blockTimeout(Duration.ofMinutes(10))
                .build(), sender);
        int producers = 4;
        int each = 5_000;
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int first = p * each;
            Thread producer = new Thread(() -> IntStream.range(first, first + each).forEach(dispatcher::enqueue),
                    "producer-" + p);
            producer.start();
            threads.add(producer);
        }
        for (Thread producer : threads) {
            producer.join(30_000);
            assertThat(producer.isAlive()).as(producer.getName() + " still blocked").isFalse();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> dispatcher.stats().sent() == producers * each);
        assertThat(sender.items()).hasSize(producers * each).doesNotHaveDuplicates();
        assertThat(dispatcher.stats().dropped()).isZero();
        assertThat(dispatcher.stats().isBalanced()).isTrue();
    }

    @Test
    void aBlockedProducerGivesUpAfterTheBlockTimeoutWithAClearError() {
        dispatcher = dispatchers.create("timeout", options(FullBehavior.BLOCK).blockTimeout(Duration.ofMillis(50))
                .build(), blockedSender);
        IntStream.range(0, 10).forEach(dispatcher::enqueue);
        assertThatExceptionOfType(BufferFullException.class).isThrownBy(() -> dispatcher.enqueue(10))
                .withMessageContaining("buffer.block-timeout=PT0.05S");
        assertThat(dispatcher.stats().dropped(DropReason.BUFFER_FULL)).isEqualTo(1);
        assertThat(dispatcher.stats().isBalanced()).isTrue();
    }

    @Test
    void byteLimitOfTheBufferBlocksLikeTheItemLimit() {
        dispatcher = dispatchers.create("bytes", options(FullBehavior.REJECT).bufferMaxItems(100).maxBatchItems(100)
                .itemSizer(Integer::longValue).bufferMaxBytes(100).build(), blockedSender);
        dispatcher.enqueue(60);
        dispatcher.enqueue(40);
        assertThatExceptionOfType(BufferFullException.class).isThrownBy(() -> dispatcher.enqueue(1))
                .withMessageContaining("buffer.max-bytes=100");
        assertThat(dispatcher.stats().bufferedBytes()).isEqualTo(100);
    }

    @Test
    void closeWakesABlockedProducerWithAnError() {
        dispatcher = dispatchers.create("closing", options(FullBehavior.BLOCK).blockTimeout(Duration.ofMinutes(1))
                .drainTimeout(Duration.ofMillis(10)).build(), blockedSender);
        IntStream.range(0, 10).forEach(dispatcher::enqueue);
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> dispatcher.enqueue(10));
        await().until(() -> dispatcher.stats().inFlightBatches() == 1);
        dispatcher.close();
        assertThat(producer).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .havingCause().isInstanceOf(IllegalStateException.class).withMessageContaining("closed");
    }
}
