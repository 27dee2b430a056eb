package dev.batcher.dispatch;

import dev.batcher.time.ManualScheduler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.DropReason;
import dev.batcher.FullBehavior;
import dev.batcher.SubmitInterruptedException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The tests for issue 7's defects that need API added by the kernel rewrite ({@code DispatcherStats.abandonedSends},
 * {@code Batch.deadline()}, {@code SubmitInterruptedException}, {@code DropReason.INTERRUPTED}); kept apart from
 * {@link KernelDefectsTest} so that those compile against the engine before the rewrite.
 */
class KernelDefectsNewApiTest {

    private static final Duration LIVENESS = Duration.ofSeconds(10);

    @RegisterExtension
    final TestDispatchers dispatchers = new TestDispatchers();

    private final ManualScheduler clock = dispatchers.clock;
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void releaseSink() {
        release.countDown();
    }

    // ------------------------------------------------------------------ 2. stats of a stopped buffer

    @Test
    void statsAreNotBalancedWhenDrainedWithItemsStillBuffered() {
        DispatcherStats drainedWithOneLeft = stats(3, 0, 2, 1, true);
        DispatcherStats drainedEmpty = stats(3, 1, 2, 0, true);
        DispatcherStats runningWithOneBuffered = stats(3, 0, 2, 1, false);

        assertThat(drainedWithOneLeft.isBalanced()).isFalse();
        assertThat(drainedEmpty.isBalanced()).isTrue();
        assertThat(runningWithOneBuffered.isBalanced()).isTrue();
    }

    private static DispatcherStats stats(long submitted, long sent, long dropped, long buffered, boolean drained) {
        return new DispatcherStats("stats", buffered, 0, 0, 0, submitted, sent, dropped,
                dropped > 0 ? Map.of(DropReason.CANCELLED, dropped) : Map.of(), 0, sent, 0, 0, Duration.ZERO, false,
                drained, drained, 0, null, 0, 0, null);
    }

    // ------------------------------------------------------------------ 5. hung sends are visible and bounded

    @Test
    void aHungSendThatIgnoresInterruptsIsCountedAsAbandonedUntilItsThreadReturns() {
        Duration sendTimeout = Duration.ofMillis(100);
        Waits.Occupancy sink = new Waits.Occupancy();
        Dispatcher<String> dispatcher = dispatchers.create("abandoned", DispatcherConfig.<String>builder()
                .scheduler(clock).maxBatchItems(1).maxConcurrentSends(1).sendTimeout(sendTimeout)
                .retry(DispatcherConfig.UNLIMITED, Duration.ofMillis(1), 1.0, Duration.ofMillis(1)).build(), batch -> {
                    sink.enter();
                    try {
                        if (batch.attempt() == 1) {
                            Waits.ignoringInterrupts(release, Duration.ofSeconds(30));
                        }
                    }
                    finally {
                        sink.leave();
                    }
                });
        CompletableFuture<Void> item = dispatcher.submit("a");
        await().until(() -> sink.now() == 1);
        assertThat(dispatcher.stats().abandonedSends()).isZero();

        clock.advance(sendTimeout);

        await().until(() -> dispatcher.stats().abandonedSends() == 1);
        assertThat(dispatcher.stats().failedAttempts()).isEqualTo(1);
        assertThat(item).isNotDone();
        release.countDown(); // the thread comes back and takes the retry
        await().until(() -> {
            clock.advance(Duration.ofMillis(1));
            return item.isDone();
        });
        assertThat(item).isCompleted();
        assertThat(dispatcher.stats().abandonedSends()).isZero();
        assertThat(sink.most()).isEqualTo(1);
    }

    @Test
    void aSinkReadsTheDeadlineOfItsAttemptToSetItsOwnTimeouts() {
        Duration sendTimeout = Duration.ofSeconds(30);
        AtomicReference<Instant> deadline = new AtomicReference<>();
        AtomicReference<Duration> timeLeft = new AtomicReference<>();
        AtomicReference<Instant> entered = new AtomicReference<>();
        Dispatcher<String> dispatcher = dispatchers.create("deadline", DispatcherConfig.<String>builder()
                .maxBatchItems(1).sendTimeout(sendTimeout).build(), batch -> {
                    entered.set(Instant.now());
                    deadline.set(batch.deadline());
                    timeLeft.set(batch.timeLeft());
                });
        Instant before = Instant.now();

        assertThat(dispatcher.submit("a")).succeedsWithin(LIVENESS);

        Duration clockSlack = Duration.ofMillis(100); // nanoTime-to-Instant conversion
        assertThat(deadline.get()).isBetween(before.plus(sendTimeout).minus(clockSlack),
                entered.get().plus(sendTimeout).plus(clockSlack));
        assertThat(timeLeft.get()).isPositive().isLessThanOrEqualTo(sendTimeout);
    }

    // ------------------------------------------------------------------ 9. an interrupted producer

    @Test
    void aProducerInterruptedWhileBlockedKeepsItsInterruptAndItsItemIsDroppedAsInterrupted() {
        List<DropReason> reasons = new CopyOnWriteArrayList<>();
        List<List<String>> dropped = new CopyOnWriteArrayList<>();
        Dispatcher<String> dispatcher = dispatchers.create("interrupted", DispatcherConfig.<String>builder()
                .maxBatchItems(1).bufferMaxItems(1).maxConcurrentSends(1).fullBehavior(FullBehavior.BLOCK)
                .blockTimeout(Duration.ofMinutes(1)).dropHandler((items, reason, cause) -> {
                    reasons.add(reason);
                    dropped.add(List.copyOf(items));
                }).build(), batch -> release.await());
        dispatcher.submit("in flight");
        await().until(() -> dispatcher.stats().inFlightBatches() == 1); // the buffer is full
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try {
                dispatcher.submit("blocked");
                outcome.complete(null);
            }
            catch (Throwable ex) {
                stillInterrupted.set(Thread.currentThread().isInterrupted());
                outcome.complete(ex);
            }
        }, "producer");
        producer.start();
        await().until(() -> producer.getState() == Thread.State.WAITING
                || producer.getState() == Thread.State.TIMED_WAITING);

        producer.interrupt();

        assertThat(outcome).succeedsWithin(LIVENESS).isInstanceOf(SubmitInterruptedException.class);
        assertThat(stillInterrupted.get()).as("the producer keeps its interrupt flag").isTrue();
        await().until(() -> reasons.size() == 1);
        assertThat(reasons).containsExactly(DropReason.INTERRUPTED);
        assertThat(dropped).containsExactly(List.of("blocked"));
        assertThat(DropReason.INTERRUPTED.tagValue()).isEqualTo("interrupted");
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.submitted()).isEqualTo(2);
        assertThat(stats.dropped(DropReason.INTERRUPTED)).isEqualTo(1);
        assertThat(stats.dropped(DropReason.BUFFER_FULL)).isZero();
        assertThat(stats.isBalanced()).isTrue();
    }
}
