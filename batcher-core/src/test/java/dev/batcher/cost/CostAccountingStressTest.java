package dev.batcher.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batcher.DropReason;
import dev.batcher.limit.ProvisionedCapacity;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The accounting under concurrency, on the real clock: producers enqueue into a small buffer for four watchers
 * (batched, alone, failing, throttled with retries); pauses and pace changes happen all along; a monitor checks every
 * snapshot. Every operation must end exactly once, processed (its watcher returned) or dropped (the drop handler),
 * and the needed capacity must come back to zero.
 */
class CostAccountingStressTest {

    private static final int PRODUCERS = 4;
    private static final int PER_PRODUCER = 2_500;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void everyOperationEndsProcessedOrDroppedExactlyOnce(long seed) throws Exception {
        Random random = new Random(seed);
        Map<Long, Integer> processed = new ConcurrentHashMap<>();
        Map<Long, DropReason> dropped = new ConcurrentHashMap<>();
        AtomicLong droppedTwice = new AtomicLong();
        List<String> imbalances = new CopyOnWriteArrayList<>();

        Watcher<Long> batched = Watcher.<Long>of(ops -> record(ops, processed)).withMaxBatchSize(1 + random.nextInt(20));
        Watcher<Long> failing = Watcher.of(ops -> {
            if (ThreadLocalRandom.current().nextInt(10) == 0) {
                throw new IOException("datastore error");
            }
            record(ops, processed);
        });
        Watcher<Long> throttled = Watcher.<Long>of(ops -> {
            if (ThreadLocalRandom.current().nextInt(20) == 0) {
                throw new ThrottledException("429");
            }
            record(ops, processed);
        }).withMaxAttempts(3).withMaxBatchSize(5);
        List<Watcher<Long>> watchers = List.of(batched, failing, throttled);

        Batcher batcher = Batcher.create("stress-" + seed, BatcherConfig.builder()
                .capacityLimiter(new ProvisionedCapacity(2_000_000))
                .flushInterval(Duration.ofMillis(1 + random.nextInt(3)))
                .capacityInterval(Duration.ofMillis(2))
                .auditInterval(Duration.ofMillis(20))
                .pauseTime(Duration.ofMillis(2))
                .throttle(0.5, 0.2)
                .maxConcurrentBatches(1 + random.nextInt(6))
                .bufferMaxItems(50 + random.nextInt(300))
                .dropHandler((ops, reason, cause) -> ops.forEach(op -> {
                    if (dropped.put((Long) op.payload(), reason) != null) {
                        droppedTwice.incrementAndGet();
                    }
                }))
                .build());
        AtomicBoolean running = new AtomicBoolean(true);
        Thread monitor = new Thread(() -> {
            while (running.get()) {
                BatcherStats stats = batcher.stats();
                if (!stats.isBalanced()) {
                    imbalances.add(stats.toString());
                }
                Thread.onSpinWait();
            }
        });
        try {
            monitor.start();
            batcher.start();
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                long base = (long) p * PER_PRODUCER;
                Thread producer = new Thread(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    for (long id = base; id < base + PER_PRODUCER; id++) {
                        Watcher<Long> watcher = watchers.get(r.nextInt(watchers.size()));
                        long cost = 1 + r.nextInt(10);
                        batcher.enqueue(r.nextInt(10) == 0 ? Operation.single(watcher, cost, id)
                                : Operation.of(watcher, cost, id));
                        if (r.nextInt(2_000) == 0) {
                            batcher.pause();
                        }
                    }
                });
                producers.add(producer);
                producer.start();
            }
            for (Thread producer : producers) {
                producer.join(60_000);
            }
            assertThat(batcher.close(Duration.ofSeconds(60))).isTrue();
        }
        finally {
            running.set(false);
            monitor.join(5_000);
            batcher.shutdownNow();
        }

        int total = PRODUCERS * PER_PRODUCER;
        BatcherStats stats = batcher.stats();
        assertThat(imbalances).isEmpty();
        assertThat(droppedTwice).hasValue(0);
        assertThat(processed.values()).allMatch(n -> n == 1);
        assertThat(processed.keySet()).doesNotContainAnyElementsOf(dropped.keySet());
        assertThat(processed.size() + dropped.size()).isEqualTo(total);
        assertThat(stats.enqueued()).isEqualTo(total);
        assertThat(stats.processed()).isEqualTo(processed.size());
        assertThat(stats.dropped()).isEqualTo(dropped.size());
        assertThat(stats.drained()).isTrue();
        assertThat(stats.isBalanced()).isTrue();
        assertThat(batcher.neededCapacity()).isZero();
    }

    private static void record(List<Operation<Long>> ops, Map<Long, Integer> processed) {
        ops.forEach(op -> processed.merge(op.payload(), 1, Integer::sum));
    }
}
