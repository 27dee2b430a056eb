package dev.batcher.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Load and save errors, deadlines, and operations that throw. */
class FailureTest {

    @RegisterExtension
    final TestProcessors processors = new TestProcessors();

    private final TestStore store = new TestStore();

    /** A checked exception an operation throws after validating, before it changes anything. */
    static final class InsufficientFundsException extends Exception {
        InsufficientFundsException(String message) {
            super(message);
        }
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        return assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .actual().getCause();
    }

    @Test
    void aLoadErrorFailsEveryCallerOfTheBatchWrappedWithTheKeyAndTheCauseAndNothingRunsOrIsSaved() {
        IOException disk = new IOException("disk on fire");
        store.beforeLoad = (key, deadline) -> {
            throw disk;
        };
        ResourceProcessor<String, TestStore.Account> processor = processors.create("load-error",
                TestProcessors.options().build(), store);
        AtomicInteger ran = new AtomicInteger();

        CompletableFuture<Long> first = processor.run("acc-7", account -> (long) ran.incrementAndGet());
        CompletableFuture<Long> second = processor.run("acc-7", account -> (long) ran.incrementAndGet());

        for (CompletableFuture<Long> f : java.util.List.of(first, second)) {
            Throwable error = failureOf(f);
            assertThat(error).isInstanceOf(ResourceStoreException.class).isNotInstanceOf(ResourceDeadlineException.class)
                    .hasCause(disk).hasMessageContaining("acc-7").hasMessageContaining("load")
                    .hasMessageContaining("load-error");
            assertThat(((ResourceStoreException) error).getKey()).isEqualTo("acc-7");
            assertThat(((ResourceStoreException) error).getPhase()).isEqualTo(ResourceStoreException.Phase.LOAD);
        }
        assertThat(ran).hasValue(0);
        assertThat(store.saves).hasValue(0);
        assertThat(store.stored).isEmpty();
        ResourceProcessorStats stats = processor.stats();
        assertThat(stats.failed()).isEqualTo(2);
        assertThat(stats.failedBatches()).isEqualTo(1);
        assertThat(stats.isBalanced()).isTrue();
    }

    @Test
    void aSaveErrorFailsEveryCallerWrappedWithTheKeyAndTheCause() {
        IllegalStateException conflict = new IllegalStateException("version conflict");
        store.beforeSave = (key, deadline) -> {
            throw conflict;
        };
        ResourceProcessor<String, TestStore.Account> processor = processors.create("save-error",
                TestProcessors.options().build(), store);

        CompletableFuture<Long> deposit = processor.run("acc-1", account -> account.balance += 10);

        Throwable error = failureOf(deposit);
        assertThat(error).isInstanceOf(ResourceStoreException.class).hasCause(conflict)
                .hasMessageContaining("acc-1").hasMessageContaining("save");
        assertThat(((ResourceStoreException) error).getPhase()).isEqualTo(ResourceStoreException.Phase.SAVE);
        assertThat(store.stored).isEmpty();
    }

    @Test
    void loadAndSaveGetTheDeadlineOfTheBatchStartPlusMaxDuration() throws Exception {
        ResourceProcessor<String, TestStore.Account> processor = processors.create("deadline",
                ResourceProcessorConfig.builder().minDuration(Duration.ofMillis(300)).build(), store);
        Instant before = Instant.now();

        processor.run("acc", account -> account.balance).get(5, TimeUnit.SECONDS);

        Instant deadline = store.deadlines.get(0);
        // default max-duration: 2 x min-duration, from the first operation's arrival
        assertThat(deadline).isBetween(before.plusMillis(590), Instant.now().plusMillis(600));
    }

    @Test
    void aLoadThatHonoursTheDeadlineByThrowingComesBackAsADeadlineError() {
        TimeoutException timeout = new TimeoutException("load timed out");
        store.beforeLoad = (key, deadline) -> {
            Duration left = Duration.between(Instant.now(), deadline);
            if (!left.isNegative()) {
                Thread.sleep(left.toMillis() + 1); // a store with a client timeout set from the deadline
            }
            throw timeout;
        };
        // max-duration 3 s: the processor gives up on the store about 300 ms after the deadline, room enough for this
        // store's late wake-up on a loaded machine
        ResourceProcessor<String, TestStore.Account> processor = processors.create("load-deadline",
                TestProcessors.options().minDuration(Duration.ofMillis(20)).maxDuration(Duration.ofSeconds(3))
                        .build(), store);

        Throwable error = failureOf(processor.run("acc", account -> account.balance));

        assertThat(error).isInstanceOf(ResourceDeadlineException.class).hasCause(timeout)
                .hasMessageContaining("acc").hasMessageContaining("max-duration");
        assertThat(((ResourceDeadlineException) error).getPhase()).isEqualTo(ResourceStoreException.Phase.LOAD);
        assertThat(store.saves).hasValue(0);
    }

    @Test
    void aHungSaveIsGivenUpAtTheDeadlineWithoutWaitingForItAndItsThreadInterrupted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        store.beforeSave = (key, deadline) -> {
            while (true) {
                try {
                    if (release.await(10, TimeUnit.SECONDS)) {
                        return; // an uninterruptible store: it ignores the interrupt and returns much later
                    }
                }
                catch (InterruptedException ex) {
                    interrupted.countDown();
                }
            }
        };
        ResourceProcessor<String, TestStore.Account> processor = processors.create("save-deadline",
                TestProcessors.options().minDuration(Duration.ofMillis(20)).maxDuration(Duration.ofMillis(300))
                        .maxConcurrentBatches(1).build(), store);
        long start = System.nanoTime();

        CompletableFuture<Long> hung = processor.run("acc", account -> account.balance += 1);
        Throwable error = failureOf(hung);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(error).isInstanceOf(ResourceDeadlineException.class).hasMessageContaining("acc");
        assertThat(((ResourceDeadlineException) error).getPhase()).isEqualTo(ResourceStoreException.Phase.SAVE);
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).as("the store's thread was interrupted").isTrue();
        assertThat(processor.stats().abandonedBatches()).as("the thread is still inside the store").isEqualTo(1);

        // The only thread is still held: another key waits instead of a second thread being started.
        CompletableFuture<Long> other = processor.run("other", account -> ++account.balance);
        release.countDown();
        assertThat(other.get(5, TimeUnit.SECONDS)).isEqualTo(1);
        await().until(() -> processor.stats().abandonedBatches() == 0);
    }

    @Test
    void anOperationThatThrowsFailsOnlyItsCallerAndTheOthersGoOnAndAreSaved() throws Exception {
        ResourceProcessor<String, TestStore.Account> processor = processors.create("op-error",
                TestProcessors.options().minDuration(Duration.ofMillis(100)).build(), store);
        ResourceOperation<TestStore.Account, Long> withdraw50 = account -> {
            if (account.balance < 50) {
                throw new InsufficientFundsException("balance " + account.balance + " < 50");
            }
            account.balance -= 50;
            return account.balance;
        };

        CompletableFuture<Long> deposit = processor.run("acc", account -> account.balance += 30);
        CompletableFuture<Long> refused = processor.run("acc", withdraw50);
        CompletableFuture<Long> deposit2 = processor.run("acc", account -> account.balance += 30);
        CompletableFuture<Long> allowed = processor.run("acc", withdraw50);

        assertThat(deposit.get(5, TimeUnit.SECONDS)).isEqualTo(30);
        assertThat(failureOf(refused)).isInstanceOf(InsufficientFundsException.class)
                .hasMessage("balance 30 < 50");
        assertThat(deposit2.get()).isEqualTo(60);
        assertThat(allowed.get()).isEqualTo(10);
        assertThat(store.balance("acc")).isEqualTo(10);
        assertThat(store.saves).hasValue(1);
        ResourceProcessorStats stats = processor.stats();
        assertThat(stats.operationErrors()).isEqualTo(1);
        assertThat(stats.completed()).isEqualTo(4);
        assertThat(stats.failed()).isZero();
    }

    @Test
    void runAndWaitRethrowsTheOperationsOwnCheckedException() {
        ResourceProcessor<String, TestStore.Account> processor = processors.create("op-error-wait",
                TestProcessors.options().build(), store);

        assertThatExceptionOfType(InsufficientFundsException.class)
                .isThrownBy(() -> processor.runAndWait("acc", account -> {
                    throw new InsufficientFundsException("empty");
                }, Duration.ofSeconds(5)))
                .withMessage("empty");
    }
}
