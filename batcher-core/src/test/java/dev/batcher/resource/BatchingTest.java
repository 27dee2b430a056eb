package dev.batcher.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** elgopher's batching scenarios: lazy load once per batch, min duration, sequential operations, keys in parallel. */
class BatchingTest {

    @RegisterExtension
    final TestProcessors processors = new TestProcessors();

    private final TestStore store = new TestStore();

    @Test
    void loadRunsLazilyOncePerBatchAndEveryOperationOfTheBatchGetsTheSameInstance() throws Exception {
        ResourceProcessor<String, TestStore.Account> processor = processors.create("lazy",
                TestProcessors.options().minDuration(Duration.ofSeconds(30)).maxDuration(Duration.ofSeconds(60))
                        .build(), store);
        processor.flush().get(5, TimeUnit.SECONDS);
        assertThat(store.loads).hasValue(0); // nothing to run, nothing loaded

        List<CompletableFuture<TestStore.Account>> seen = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            seen.add(processor.run("acc", account -> account));
        }
        assertThat(store.loads).as("no load before the batch is cut").hasValue(0);
        processor.flush().get(5, TimeUnit.SECONDS);

        assertThat(store.loads).hasValue(1);
        assertThat(store.saves).hasValue(1);
        for (CompletableFuture<TestStore.Account> f : seen) {
            assertThat(f.get()).isSameAs(store.loaded.get(0));
        }
    }

    @Test
    void aBatchLastsAtLeastMinDurationAndALaterOperationStartsASecondBatch() throws Exception {
        Duration min = Duration.ofMillis(150);
        ResourceProcessor<String, TestStore.Account> processor = processors.create("min",
                TestProcessors.options().minDuration(min).build(), store);

        long start = System.nanoTime();
        processor.run("acc", account -> account.balance += 5).get(5, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(min);
        assertThat(store.loads).hasValue(1);

        long second = System.nanoTime();
        long balance = processor.run("acc", account -> account.balance += 5).get(5, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - second)).isGreaterThanOrEqualTo(min);
        assertThat(balance).isEqualTo(10);
        assertThat(store.loads).hasValue(2);
        assertThat(store.saves).hasValue(2);
        assertThat(store.balance("acc")).isEqualTo(10);
    }

    @Test
    void thousandConcurrentRunsOnOneKeyGetThousandCorrectResultsWithFewLoadsAndSaves() throws Exception {
        ResourceProcessor<String, TestStore.Account> processor = processors.create("hot",
                TestProcessors.options().minDuration(Duration.ofMillis(200)).build(), store);
        ExecutorService callers = Executors.newFixedThreadPool(16);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Long>> results = new ArrayList<>();
            List<CompletableFuture<CompletableFuture<Long>>> runs = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                runs.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    }
                    catch (InterruptedException ex) {
                        throw new IllegalStateException(ex);
                    }
                    // no locking: the processor runs the operations of a key one at a time
                    return processor.run("acc", account -> ++account.balance);
                }, callers));
            }
            go.countDown();
            for (CompletableFuture<CompletableFuture<Long>> run : runs) {
                results.add(run.get(30, TimeUnit.SECONDS));
            }
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            Set<Long> values = new HashSet<>();
            for (CompletableFuture<Long> r : results) {
                values.add(r.get());
            }
            assertThat(values).containsExactlyInAnyOrderElementsOf(
                    IntStream.rangeClosed(1, 1000).mapToObj(Long::valueOf).toList());
        }
        finally {
            callers.shutdownNow();
        }
        assertThat(store.balance("acc")).isEqualTo(1000);
        assertThat(store.loads.get()).isEqualTo(store.saves.get()).isLessThan(20);
        assertThat(store.maxBusyPerKey).as("one batch per key at a time").hasValue(1);
        ResourceProcessorStats stats = processor.stats();
        assertThat(stats.completed()).isEqualTo(1000);
        assertThat(stats.isBalanced()).isTrue();
    }

    @Test
    void batchesOfDifferentKeysRunInParallelUpToMaxConcurrentBatches() throws Exception {
        CountDownLatch bothLoading = new CountDownLatch(2);
        store.beforeLoad = (key, deadline) -> {
            bothLoading.countDown();
            if (!bothLoading.await(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other key's load never started alongside");
            }
        };
        ResourceProcessor<String, TestStore.Account> processor = processors.create("parallel",
                TestProcessors.options().maxConcurrentBatches(2).maxDuration(Duration.ofSeconds(10)).build(), store);

        CompletableFuture<Long> a = processor.run("a", account -> ++account.balance);
        CompletableFuture<Long> b = processor.run("b", account -> ++account.balance);

        assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void aHotKeyDoesNotStarveTheOtherKeys() throws Exception {
        // One thread for all batches, and a hot key whose batches are slow and never stop coming.
        store.beforeLoad = (key, deadline) -> {
            if (key.equals("hot")) {
                Thread.sleep(40);
            }
        };
        ResourceProcessor<String, TestStore.Account> processor = processors.create("fair",
                TestProcessors.options().minDuration(Duration.ofMillis(20)).maxDuration(Duration.ofSeconds(5))
                        .maxConcurrentBatches(1).build(), store);
        AtomicBoolean flooding = new AtomicBoolean(true);
        Thread flood = new Thread(() -> {
            while (flooding.get()) {
                processor.run("hot", account -> ++account.balance);
                Thread.onSpinWait();
            }
        });
        flood.start();
        try {
            await().until(() -> store.loads.get() >= 2); // the hot key keeps the thread busy
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                assertThat(processor.run("cold-" + i, account -> ++account.balance).get(5, TimeUnit.SECONDS))
                        .isEqualTo(1);
                // waits at most for the hot batch in progress and the one queued before it (2 x 40 ms), plus slack
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            }
        }
        finally {
            flooding.set(false);
            flood.join();
        }
    }
}
