package dev.batcher.dispatch;

import dev.batcher.Ordering;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OrderingTest {

    @RegisterExtension
    final TestDispatchers dispatchers = new TestDispatchers();

    private Dispatcher<int[]> dispatcher;

    /** Items are {key, sequence} pairs. */
    private static int[] item(int key, int seq) {
        return new int[] {key, seq};
    }

    @Test
    void fifoKeepsSubmissionOrderAcrossRetriesWithOneSendAtATime() {
        Random random = new Random(42);
        List<Integer> delivered = new CopyOnWriteArrayList<>();
        BatchSender<int[]> flaky = batch -> {
            if (random.nextInt(3) == 0) {
                throw new IOException("transient");
            }
            batch.items().forEach(i -> delivered.add(i[1]));
        };
        dispatcher = dispatchers.create("fifo", DispatcherConfig.<int[]>builder().ordering(Ordering.FIFO)
                .maxConcurrentSends(1).maxBatchItems(7).maxBatchAge(Duration.ofMillis(2))
                .retry(DispatcherConfig.UNLIMITED, Duration.ofMillis(1), 1.0, Duration.ofMillis(1)).build(), flaky);
        IntStream.range(0, 2_000).forEach(i -> dispatcher.enqueue(item(0, i)));

        assertThat(dispatcher.close(Duration.ofSeconds(30))).isTrue();
        assertThat(delivered).containsExactlyElementsOf(IntStream.range(0, 2_000).boxed().toList());
        assertThat(dispatcher.stats().retried()).isPositive();
    }

    @Test
    void perKeyKeepsEachKeysOrderAcrossRetriesWhileKeysGoInParallel() {
        Random random = new Random(7);
        Map<Integer, List<Integer>> delivered = new ConcurrentHashMap<>();
        BatchSender<int[]> flaky = batch -> {
            synchronized (random) {
                if (random.nextInt(4) == 0) {
                    throw new IOException("transient");
                }
            }
            int key = (Integer) batch.key();
            for (int[] i : batch.items()) {
                assertThat(i[0]).isEqualTo(key);
                delivered.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(i[1]);
            }
        };
        dispatcher = dispatchers.create("per-key", DispatcherConfig.<int[]>builder().ordering(Ordering.PER_KEY)
                .keyExtractor(i -> i[0]).maxConcurrentSends(4).maxBatchItems(5).maxBatchAge(Duration.ofMillis(2))
                .retry(DispatcherConfig.UNLIMITED, Duration.ofMillis(1), 1.0, Duration.ofMillis(1)).build(), flaky);
        int[] next = new int[10];
        Random pick = new Random(1);
        for (int n = 0; n < 5_000; n++) {
            int key = pick.nextInt(10);
            dispatcher.enqueue(item(key, next[key]++));
        }
        assertThat(dispatcher.close(Duration.ofSeconds(30))).isTrue();
        for (int key = 0; key < 10; key++) {
            assertThat(delivered.get(key)).as("key %d", key)
                    .containsExactlyElementsOf(IntStream.range(0, next[key]).boxed().toList());
        }
    }

    @Test
    void aStuckKeyDoesNotHoldUpOtherKeys() {
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> sentKeys = new CopyOnWriteArrayList<>();
        dispatcher = dispatchers.create("stuck", DispatcherConfig.<int[]>builder().ordering(Ordering.PER_KEY)
                .keyExtractor(i -> i[0]).maxConcurrentSends(2).maxBatchItems(1).build(), batch -> {
                    if ((Integer) batch.key() == 1) {
                        release.await();
                    }
                    sentKeys.add((Integer) batch.key());
                });
        dispatcher.enqueue(item(1, 0));
        dispatcher.enqueue(item(1, 1));
        await().until(() -> dispatcher.stats().inFlightBatches() == 1);
        List<int[]> others = new ArrayList<>();
        IntStream.range(0, 20).forEach(i -> others.add(item(2, i)));
        others.forEach(dispatcher::enqueue);

        await().until(() -> sentKeys.size() == 20);
        assertThat(sentKeys).containsOnly(2);
        assertThat(dispatcher.stats().bufferedItems()).isEqualTo(1); // key 1's second batch waits its turn
        release.countDown();
        await().until(() -> sentKeys.size() == 22);
    }
}
