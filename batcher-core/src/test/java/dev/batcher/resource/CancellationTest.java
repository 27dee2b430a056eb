package dev.batcher.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An operation cancelled before it ran never runs, and its caller sees a cancellation. */
class CancellationTest {

    @RegisterExtension
    final TestProcessors processors = new TestProcessors();

    private final TestStore store = new TestStore();

    @Test
    void aFutureCancelledBeforeItsOperationRanNeverRunsAndTheOthersOfTheBatchDo() throws Exception {
        ResourceProcessor<String, TestStore.Account> processor = processors.create("cancel",
                TestProcessors.options().minDuration(Duration.ofMillis(200)).build(), store);
        AtomicInteger cancelledRan = new AtomicInteger();

        CompletableFuture<Long> cancelled = processor.run("acc", account -> {
            cancelledRan.incrementAndGet();
            return account.balance += 100;
        });
        CompletableFuture<Long> kept = processor.run("acc", account -> account.balance += 1);
        assertThat(cancelled.cancel(true)).isTrue();

        assertThat(kept.get(5, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(cancelledRan).hasValue(0);
        assertThat(cancelled.isCancelled()).isTrue();
        assertThatExceptionOfType(OperationCancelledException.class).isThrownBy(cancelled::join)
                .withMessageContaining("acc").withMessageContaining("cancelled before it ran");
        assertThat(store.balance("acc")).isEqualTo(1);
        ResourceProcessorStats stats = processor.stats();
        assertThat(stats.cancelled()).isEqualTo(1);
        assertThat(stats.isBalanced()).isTrue();
    }

    @Test
    void aBatchWhoseOperationsWereAllCancelledNeitherLoadsNorSaves() throws Exception {
        ResourceProcessor<String, TestStore.Account> processor = processors.create("all-cancelled",
                TestProcessors.options().minDuration(Duration.ofMillis(100)).build(), store);

        CompletableFuture<Long> a = processor.run("acc", account -> account.balance += 1);
        CompletableFuture<Long> b = processor.run("acc", account -> account.balance += 1);
        a.cancel(false);
        b.orTimeout(1, TimeUnit.MILLISECONDS); // completed from outside before it ran: it never runs either

        processor.flush().get(5, TimeUnit.SECONDS);
        assertThatExceptionOfType(CancellationException.class).isThrownBy(a::join);
        assertThat(b).failsWithin(Duration.ofSeconds(1)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(TimeoutException.class);
        assertThat(store.loads).hasValue(0);
        assertThat(store.saves).hasValue(0);
        assertThat(processor.stats().cancelled()).isEqualTo(2);
    }

    @Test
    void cancellingAnOperationThatAlreadyRanIsRefusedAndTheCallerGetsItsValue() throws Exception {
        CountDownLatch saving = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        store.beforeSave = (key, deadline) -> {
            saving.countDown();
            release.await(5, TimeUnit.SECONDS);
        };
        ResourceProcessor<String, TestStore.Account> processor = processors.create("cancel-late",
                TestProcessors.options().build(), store);

        CompletableFuture<Long> ran = processor.run("acc", account -> account.balance += 7);
        assertThat(saving.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(ran.cancel(true)).isFalse();
        release.countDown();
        assertThat(ran.get(5, TimeUnit.SECONDS)).isEqualTo(7);
    }

    @Test
    void runAndWaitThatTimesOutBeforeItsOperationStartedCancelsItAndItNeverRuns() throws Exception {
        ResourceProcessor<String, TestStore.Account> processor = processors.create("wait-timeout",
                TestProcessors.options().minDuration(Duration.ofMillis(300)).build(), store);
        AtomicInteger ran = new AtomicInteger();

        assertThatExceptionOfType(OperationCancelledException.class)
                .isThrownBy(() -> processor.runAndWait("acc", account -> ran.incrementAndGet(), Duration.ofMillis(20)))
                .withMessageContaining("did not start within PT0.02S");

        processor.flush().get(5, TimeUnit.SECONDS);
        assertThat(ran).hasValue(0);
        assertThat(processor.stats().cancelled()).isEqualTo(1);
    }

    @Test
    void runAndWaitFromInsideAnOperationIsRefusedInsteadOfWaitingForItself() throws Exception {
        ResourceProcessor<String, TestStore.Account> processor = processors.create("nested",
                TestProcessors.options().build(), store);

        CompletableFuture<Long> outer = processor.run("acc",
                account -> processor.runAndWait("acc", inner -> inner.balance, Duration.ofSeconds(5)));

        assertThat(outer).failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(IllegalStateException.class)
                .withMessageContaining("runAndWait was called from an operation");
    }
}
