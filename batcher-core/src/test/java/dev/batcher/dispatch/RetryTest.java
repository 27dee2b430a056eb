package dev.batcher.dispatch;

import dev.batcher.Batch;
import dev.batcher.DropReason;
import dev.batcher.ItemDroppedException;
import dev.batcher.PermanentSendException;
import dev.batcher.SendOutcome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.time.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.retry.backoff.FixedBackOffPolicy;

class RetryTest {

    @RegisterExtension
    final TestDispatchers dispatchers = new TestDispatchers();

    private final ManualScheduler clock = dispatchers.clock;
    private final List<Throwable> dropCauses = new CopyOnWriteArrayList<>();
    private final List<DropReason> dropReasons = new CopyOnWriteArrayList<>();
    private Dispatcher<String> dispatcher;

    private DispatcherConfig.Builder<String> options() {
        return DispatcherConfig.<String>builder().scheduler(clock).maxBatchItems(1).dropHandler((items, reason, cause) -> {
            dropReasons.add(reason);
            dropCauses.add(cause);
        });
    }

    private static RecordingSender<String> failingFirst(int failures) {
        AtomicInteger calls = new AtomicInteger();
        return new RecordingSender<>() {
            @Override
            void beforeSend(Batch<String> batch) throws Exception {
                if (calls.incrementAndGet() <= failures) {
                    throw new IOException("down #" + calls.get());
                }
            }
        };
    }

    @Test
    void aFailedBatchIsRetriedOnTheDefaultExponentialBackOff() {
        RecordingSender<String> sender = failingFirst(2);
        dispatcher = dispatchers.create("retry", options().build(), sender);
        CompletableFuture<Void> future = dispatcher.submit("a");

        await().until(() -> sender.attempts.size() == 1);
        await().until(() -> dispatcher.stats().retried() == 1);
        clock.advance(Duration.ofMillis(199));
        assertThat(sender.attempts).hasSize(1);
        clock.advance(Duration.ofMillis(1)); // 200 ms: second attempt
        await().until(() -> sender.attempts.size() == 2);
        await().until(() -> dispatcher.stats().retried() == 2);
        clock.advance(Duration.ofMillis(239));
        assertThat(sender.attempts).hasSize(2);
        clock.advance(Duration.ofMillis(1)); // 200 x 1.2 = 240 ms: third attempt succeeds
        assertThat(future).succeedsWithin(Duration.ofSeconds(5));
        assertThat(sender.attempts).containsExactly(1, 2, 3);
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.sent()).isEqualTo(1);
        assertThat(stats.failedAttempts()).isEqualTo(2);
        assertThat(stats.consecutiveFailures()).isZero();
    }

    @Test
    void aBatchIsDroppedWhenRetriesAreExhausted() {
        RecordingSender<String> sender = failingFirst(100);
        dispatcher = dispatchers.create("exhaust", options()
                .retry(3, Duration.ofMillis(10), 2.0, Duration.ofSeconds(1)).build(), sender);
        CompletableFuture<Void> future = dispatcher.submit("a");
        long[] backOffMillis = {10, 20, 0};
        for (int i = 0; i < 3; i++) {
            int attempts = i + 1;
            await().until(() -> sender.attempts.size() == attempts
                    && dispatcher.stats().failedAttempts() == attempts);
            clock.advance(Duration.ofMillis(backOffMillis[i]));
        }
        assertThat(future).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingCause()
                .isInstanceOfSatisfying(ItemDroppedException.class, e -> {
                    assertThat(e.getReason()).isEqualTo(DropReason.RETRIES_EXHAUSTED);
                    assertThat(e.getCause()).hasMessage("down #3");
                });
        assertThat(dropReasons).containsExactly(DropReason.RETRIES_EXHAUSTED);
        assertThat(dispatcher.stats().consecutiveFailures()).isEqualTo(3);
        assertThat(dispatcher.stats().isBalanced()).isTrue();
    }

    @Test
    void aPermanentFailureIsDroppedAtOnce() {
        dispatcher = dispatchers.create("permanent", options().build(), batch -> {
            throw new PermanentSendException("constraint violated");
        });
        CompletableFuture<Void> future = dispatcher.submit("a");
        assertThat(future).failsWithin(Duration.ofSeconds(5));
        assertThat(dropReasons).containsExactly(DropReason.NOT_RETRYABLE);
        assertThat(dropCauses.get(0)).hasMessage("constraint violated");
        assertThat(dispatcher.stats().retried()).isZero();
    }

    @Test
    void theErrorHandlerDecidesAndAFailingHandlerDropsTheBatchWithoutStoppingTheDispatcher() {
        AtomicInteger decisions = new AtomicInteger();
        RecordingSender<String> sender = failingFirst(1);
        dispatcher = dispatchers.create("handler", options().errorHandler((batch, error) -> {
            if (decisions.incrementAndGet() == 1) {
                throw new IllegalStateException("handler bug");
            }
            return true;
        }).build(), sender);
        assertThat(dispatcher.submit("a")).failsWithin(Duration.ofSeconds(5));
        assertThat(dropReasons).containsExactly(DropReason.NOT_RETRYABLE);
        assertThat(dispatcher.submit("b")).succeedsWithin(Duration.ofSeconds(5));
    }

    @Test
    void aBatchWaitingForItsRetryDoesNotHoldUpOtherBatches() {
        AtomicInteger calls = new AtomicInteger();
        RecordingSender<String> sender = new RecordingSender<>() {
            @Override
            void beforeSend(Batch<String> batch) throws Exception {
                calls.incrementAndGet();
                if (batch.items().contains("bad") && batch.attempt() == 1) {
                    throw new IOException("transient");
                }
            }
        };
        dispatcher = dispatchers.create("independent", options().maxConcurrentSends(1).build(), sender);
        CompletableFuture<Void> bad = dispatcher.submit("bad");
        await().until(() -> dispatcher.stats().retried() == 1);
        CompletableFuture<Void> good = dispatcher.submit("good");
        assertThat(good).succeedsWithin(Duration.ofSeconds(5));
        assertThat(bad).isNotDone();
        clock.advance(Duration.ofMillis(200));
        assertThat(bad).succeedsWithin(Duration.ofSeconds(5));
        assertThat(sender.batches).containsExactly(List.of("good"), List.of("bad"));
    }

    @Test
    void aUserBackOffPolicyIsScheduledNotSlept() {
        FixedBackOffPolicy fixed = new FixedBackOffPolicy();
        fixed.setBackOffPeriod(5_000);
        RecordingSender<String> sender = failingFirst(1);
        dispatcher = dispatchers.create("fixed", options().backOffPolicy(fixed).build(), sender);
        CompletableFuture<Void> future = dispatcher.submit("a");
        await().until(() -> dispatcher.stats().retried() == 1);
        clock.advance(Duration.ofMillis(4_999));
        assertThat(future).isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThat(future).succeedsWithin(Duration.ofSeconds(5));
    }

    @Test
    void aSendPastTheSendTimeoutFailsIsInterruptedAndAnotherThreadTakesItsPlace() {
        CountDownLatch never = new CountDownLatch(1);
        List<Boolean> interrupted = new CopyOnWriteArrayList<>();
        RecordingSender<String> sender = new RecordingSender<>() {
            @Override
            void beforeSend(Batch<String> batch) throws Exception {
                if (batch.items().contains("hang") && batch.attempt() == 1) {
                    try {
                        never.await();
                    }
                    catch (InterruptedException ex) {
                        interrupted.add(true);
                        throw ex;
                    }
                }
            }
        };
        List<SendOutcome> outcomes = new CopyOnWriteArrayList<>();
        dispatcher = dispatchers.create("hang", options().maxConcurrentSends(1).sendTimeout(Duration.ofSeconds(2))
                .listener(new DispatcherListener() {
                    @Override
                    public void onSendCompleted(int items, long bytes, long nanos, SendOutcome outcome) {
                        outcomes.add(outcome);
                    }
                }).build(), sender);
        CompletableFuture<Void> hung = dispatcher.submit("hang");
        await().until(() -> dispatcher.stats().inFlightBatches() == 1);
        CompletableFuture<Void> next = dispatcher.submit("next");

        clock.advance(Duration.ofSeconds(2));

        assertThat(next).succeedsWithin(Duration.ofSeconds(5));
        await().until(() -> interrupted.size() == 1);
        assertThat(outcomes).startsWith(SendOutcome.TIMEOUT);
        assertThat(dispatcher.stats().failedAttempts()).isEqualTo(1);
        clock.advance(Duration.ofMillis(200));
        assertThat(hung).succeedsWithin(Duration.ofSeconds(5));
        assertThat(sender.attempts).containsExactly(1, 1, 2);
    }
}
