package dev.batcher.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.batcher.BufferFullException;
import dev.batcher.FullBehavior;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Stop semantics, the buffer limit and the accounting. */
class LifecycleTest {

    @RegisterExtension
    final TestProcessors processors = new TestProcessors();

    private final TestStore store = new TestStore();

    @Test
    void closeEndsPendingBatchesEarlySavesThemAndWaits() throws Exception {
        ResourceProcessor<String, TestStore.Account> processor = processors.create("stop",
                TestProcessors.options().minDuration(Duration.ofSeconds(30)).maxDuration(Duration.ofSeconds(60))
                        .build(), store);
        CompletableFuture<Long> a = processor.run("a", account -> account.balance += 3);
        CompletableFuture<Long> b = processor.run("b", account -> account.balance += 4);
        long start = System.nanoTime();

        assertThat(processor.close(Duration.ofSeconds(10))).isTrue();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(a).isCompletedWithValue(3L); // completed before close returned
        assertThat(b).isCompletedWithValue(4L);
        assertThat(store.balance("a")).isEqualTo(3);
        assertThat(store.balance("b")).isEqualTo(4);
        ResourceProcessorStats stats = processor.stats();
        assertThat(stats.drained()).isTrue();
        assertThat(stats.submitted()).isEqualTo(stats.completed() + stats.failed()).isEqualTo(2);
        assertThat(stats.isBalanced()).isTrue();
    }

    @Test
    void closeWaitsForABatchThatIsSaving() throws Exception {
        CountDownLatch saving = new CountDownLatch(1);
        AtomicBoolean saved = new AtomicBoolean();
        store.beforeSave = (key, deadline) -> {
            saving.countDown();
            Thread.sleep(200);
            saved.set(true);
        };
        ResourceProcessor<String, TestStore.Account> processor = processors.create("stop-saving",
                TestProcessors.options().build(), store);
        CompletableFuture<Long> op = processor.run("acc", account -> account.balance += 1);
        assertThat(saving.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(processor.close(Duration.ofSeconds(10))).isTrue();

        assertThat(saved).isTrue();
        assertThat(op).isCompletedWithValue(1L);
    }

    @Test
    void runAfterCloseFailsWithProcessorStopped() {
        ResourceProcessor<String, TestStore.Account> processor = processors.create("stopped",
                TestProcessors.options().build(), store);
        processor.close();

        assertThat(processor.run("acc", account -> account.balance)).failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(ProcessorStoppedException.class)
                .withMessageContaining("'stopped' is stopped");
        assertThatExceptionOfType(ProcessorStoppedException.class)
                .isThrownBy(() -> processor.runAndWait("acc", account -> account.balance, Duration.ofSeconds(1)));
        assertThat(store.loads).hasValue(0);
        assertThat(processor.isClosed()).isTrue();
        assertThat(processor.isDrained()).isTrue();
    }

    @Test
    void aDrainThatRunsOutOfTimeFailsWhatIsLeftWithProcessorStopped() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        store.beforeLoad = (key, deadline) -> release.await(10, TimeUnit.SECONDS);
        ResourceProcessor<String, TestStore.Account> processor = processors.create("stop-late",
                TestProcessors.options().maxConcurrentBatches(1).build(), store);
        CompletableFuture<Long> running = processor.run("a", account -> account.balance += 1);
        CompletableFuture<Long> waiting = processor.run("b", account -> account.balance += 1);

        try {
            assertThat(processor.close(Duration.ofMillis(200))).isFalse();
        }
        finally {
            release.countDown();
        }

        assertThat(running).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(ProcessorStoppedException.class).withMessageContaining("may or may not");
        assertThat(waiting).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(ProcessorStoppedException.class).withMessageContaining("before it ran");
        assertThat(processor.stats().isBalanced()).isTrue();
    }

    @Test
    void aFullBufferWithRejectRefusesTheOperationNamingTheLimit() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        store.beforeLoad = (key, deadline) -> release.await(10, TimeUnit.SECONDS);
        ResourceProcessor<String, TestStore.Account> processor = processors.create("full",
                TestProcessors.options().bufferMaxItems(2).fullBehavior(FullBehavior.REJECT).build(), store);
        try {
            processor.run("acc", account -> account.balance);
            processor.run("acc", account -> account.balance);

            assertThat(processor.run("acc", account -> account.balance)).failsWithin(Duration.ZERO)
                    .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(BufferFullException.class)
                    .withMessageContaining("buffer.max-items=2");
        }
        finally {
            release.countDown();
        }
        ResourceProcessorStats stats = processor.stats();
        assertThat(stats.failed()).isEqualTo(1);
        assertThat(stats.isBalanced()).isTrue();
    }
}
