package dev.batcher.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Batch metrics: their content, and listeners that cannot slow the processor down. */
class MetricsTest {

    @RegisterExtension
    final TestProcessors processors = new TestProcessors();

    private final TestStore store = new TestStore();
    private final List<BatchMetrics> received = new CopyOnWriteArrayList<>();

    @Test
    void aSavedBatchReportsItsStartKeyOperationCountAndDurations() throws Exception {
        store.beforeLoad = (key, deadline) -> Thread.sleep(30);
        store.beforeSave = (key, deadline) -> Thread.sleep(20);
        Duration min = Duration.ofMillis(100);
        ResourceProcessor<String, TestStore.Account> processor = processors.create("metrics",
                TestProcessors.options().minDuration(min).build(), store);
        processor.addListener(received::add);
        Instant before = Instant.now();

        List<CompletableFuture<Long>> ops = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ops.add(processor.run("acc-3", account -> ++account.balance));
        }
        CompletableFuture.allOf(ops.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        Instant after = Instant.now();

        await().until(() -> received.size() == 1);
        BatchMetrics m = received.get(0);
        assertThat(m.key()).isEqualTo("acc-3");
        assertThat(m.operationCount()).isEqualTo(3);
        assertThat(m.batchStart()).isBetween(before.minusMillis(5), after);
        assertThat(m.loadDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(30));
        assertThat(m.saveDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(20));
        assertThat(m.totalDuration()).isGreaterThanOrEqualTo(min.plusMillis(50))
                .isLessThanOrEqualTo(Duration.between(before, after).plusMillis(5));
        assertThat(m.error()).isNull();
        assertThat(m.succeeded()).isTrue();
    }

    @Test
    void aFailedBatchReportsItsError() throws Exception {
        store.beforeLoad = (key, deadline) -> {
            throw new IOException("gone");
        };
        ResourceProcessor<String, TestStore.Account> processor = processors.create("metrics-error",
                TestProcessors.options().build(), store);
        processor.addListener(received::add);

        processor.run("acc", account -> account.balance).handle((v, e) -> null).get(5, TimeUnit.SECONDS);

        await().until(() -> received.size() == 1);
        BatchMetrics m = received.get(0);
        assertThat(m.error()).isInstanceOf(ResourceStoreException.class).hasRootCauseMessage("gone");
        assertThat(m.saveDuration()).isZero();
        assertThat(m.operationCount()).isEqualTo(1);
    }

    @Test
    void aListenerThatBlocksNeitherSlowsTheProcessorNorHoldsBatchesAndLostMetricsAreCounted() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        ResourceProcessor<String, TestStore.Account> processor = processors.create("slow-listener",
                TestProcessors.options().minDuration(Duration.ofMillis(5)).build(), store);
        processor.addListener(metrics -> {
            try {
                stuck.await(); // a subscriber that never keeps up
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        int batches = KernelResourceProcessor.MAX_PENDING_METRICS + 500;
        try {
            List<CompletableFuture<Long>> ops = new ArrayList<>(batches);
            for (int i = 0; i < batches; i++) {
                ops.add(processor.run("key-" + i, account -> ++account.balance)); // one batch per key
            }
            CompletableFuture.allOf(ops.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(store.saves).hasValue(batches);
            ResourceProcessorStats stats = processor.stats();
            assertThat(stats.savedBatches()).isEqualTo(batches);
            // One metric is with the blocked listener, 4,096 wait, the rest were dropped and counted.
            assertThat(stats.lostMetrics()).isGreaterThanOrEqualTo(batches - KernelResourceProcessor.MAX_PENDING_METRICS - 1L)
                    .isPositive();
        }
        finally {
            stuck.countDown();
        }
    }

    @Test
    void aRemovedListenerGetsNoMoreMetrics() throws Exception {
        ResourceProcessor<String, TestStore.Account> processor = processors.create("removed",
                TestProcessors.options().build(), store);
        BatchMetricsListener listener = received::add;
        processor.addListener(listener);
        processor.run("a", account -> account.balance).get(5, TimeUnit.SECONDS);
        await().until(() -> received.size() == 1);

        processor.removeListener(listener);
        processor.run("b", account -> account.balance).get(5, TimeUnit.SECONDS);
        processor.close();

        assertThat(received).extracting(BatchMetrics::key).containsExactly("a");
    }
}
