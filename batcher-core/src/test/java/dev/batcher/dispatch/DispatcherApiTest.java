package dev.batcher.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.Batch;
import dev.batcher.DropReason;
import dev.batcher.ItemDroppedException;
import dev.batcher.PermanentSendException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The calls a user makes besides submit: submitAll, enqueueAll, flush's future, a batch's deadline, the last send in
 * stats.
 */
class DispatcherApiTest {

    @RegisterExtension
    final TestDispatchers dispatchers = new TestDispatchers();

    private final RecordingSender<Integer> sender = new RecordingSender<>();

    @Test
    void submitAllReturnsOneFuturePerItemInOrder() {
        Dispatcher<Integer> dispatcher = dispatchers.create("all",
                DispatcherConfig.<Integer>builder().maxBatchItems(3).build(), sender);

        List<CompletableFuture<Void>> futures = dispatcher.submitAll(List.of(1, 2, 3, 4, 5, 6));

        assertThat(futures).hasSize(6);
        assertThat(CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)))
                .succeedsWithin(Duration.ofSeconds(5));
        assertThat(sender.items()).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6);
    }

    @Test
    void enqueueAllSendsEveryItem() {
        Dispatcher<Integer> dispatcher = dispatchers.create("enqueueAll",
                DispatcherConfig.<Integer>builder().maxBatchItems(2).build(), sender);

        dispatcher.enqueueAll(List.of(1, 2, 3, 4));

        await().until(() -> sender.items().size() == 4);
        assertThat(dispatcher.stats().sent()).isEqualTo(4);
    }

    @Test
    void statsTellWhenTheLastBatchWasSentAndHowBigItWas() {
        Dispatcher<Integer> dispatcher = dispatchers.create("lastSent", // cut by count only: one batch of 3
                DispatcherConfig.<Integer>builder().maxBatchItems(3).maxBatchAge(Duration.ofHours(1)).build(), sender);
        assertThat(dispatcher.stats().lastSentAt()).isNull();
        assertThat(dispatcher.stats().lastBatchItems()).isZero();
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        assertThat(CompletableFuture.allOf(dispatcher.submitAll(List.of(1, 2, 3)).toArray(CompletableFuture[]::new)))
                .succeedsWithin(Duration.ofSeconds(5));

        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.lastBatchItems()).isEqualTo(3);
        assertThat(stats.lastSentAt()).isBetween(before, Instant.now());
    }

    @Test
    void flushCompletesOnlyAfterEveryEarlierItemIsSettledIncludingItsDropHandler() throws Exception {
        CountDownLatch handlerMayReturn = new CountDownLatch(1);
        List<Integer> dropped = new CopyOnWriteArrayList<>();
        Dispatcher<Integer> dispatcher = dispatchers.create("flush", DispatcherConfig.<Integer>builder()
                .maxBatchItems(100).maxBatchAge(Duration.ofHours(1))
                .dropHandler((items, reason, cause) -> {
                    await().atMost(Duration.ofSeconds(10)).until(() -> handlerMayReturn.getCount() == 0);
                    dropped.addAll(items);
                }).build(), batch -> {
                    if (batch.items().contains(1)) {
                        throw new PermanentSendException("bad item");
                    }
                });
        CompletableFuture<Void> bad = dispatcher.submit(1);

        CompletableFuture<Void> flushed = dispatcher.flush(); // cuts the open batch: no waiting for the hour

        await().until(() -> dispatcher.stats().dropped() == 1); // counted; its drop handler is still running
        assertThat(flushed).isNotDone();
        handlerMayReturn.countDown();
        assertThat(flushed).succeedsWithin(Duration.ofSeconds(5));
        assertThat(bad).isCompletedExceptionally(); // the drop handler runs first, then the future fails
        assertThat(bad).failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                .isInstanceOfSatisfying(ItemDroppedException.class,
                        e -> assertThat(e.getReason()).isEqualTo(DropReason.NOT_RETRYABLE));
        assertThat(dropped).containsExactly(1);
    }

    @Test
    void flushOfAnIdleDispatcherCompletesAtOnce() {
        Dispatcher<Integer> dispatcher = dispatchers.create("idleFlush", DispatcherConfig.<Integer>defaults(), sender);

        assertThat(dispatcher.flush()).succeedsWithin(Duration.ofSeconds(5));
    }

    @Test
    void aBatchTellsItsSinkTheDeadlineOfTheAttempt() throws Exception {
        List<Instant> deadlines = new CopyOnWriteArrayList<>();
        List<Duration> left = new CopyOnWriteArrayList<>();
        Dispatcher<Integer> dispatcher = dispatchers.create("deadline", DispatcherConfig.<Integer>builder()
                .sendTimeout(Duration.ofSeconds(20)).build(), (Batch<Integer> batch) -> {
                    deadlines.add(batch.deadline());
                    left.add(batch.timeLeft());
                });
        Instant before = Instant.now();

        dispatcher.submit(1).get(5, TimeUnit.SECONDS);

        assertThat(deadlines).singleElement().satisfies(d -> assertThat(d)
                .isBetween(before.plusSeconds(19), Instant.now().plusSeconds(21)));
        assertThat(left).singleElement().satisfies(d -> assertThat(d)
                .isBetween(Duration.ofSeconds(15), Duration.ofSeconds(20)));
    }
}
