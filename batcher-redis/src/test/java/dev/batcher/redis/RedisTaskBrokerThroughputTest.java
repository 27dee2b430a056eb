package dev.batcher.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.task.TaskMessage;
import dev.batcher.task.TaskQueueStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * 10,000 tasks through one broker and two consumers on loopback: every task delivered once and acknowledged. Prints
 * the measured tasks per second (publish to last acknowledgement); the target is 20,000 tasks/s, which this
 * test does not assert (the machine running it may be shared), but it fails below a floor that only a broken
 * pipeline would miss.
 */
class RedisTaskBrokerThroughputTest {

    @RegisterExtension
    static final RedisServerExtension server = new RedisServerExtension();

    private static final int TASKS = 10_000;
    private static final int PUBLISHERS = 32;

    @Test
    void tenThousandTasksThroughOneBrokerAndTwoConsumersAreAllDeliveredOnceAndAcknowledged() throws Exception {
        LettuceConnectionFactory factory = server.newConnectionFactory();
        RedisTaskBrokerOptions options = RedisTaskBrokerOptions.defaults().withKeyPrefix("throughput")
                .withReadBatch(200);
        Map<String, Integer> runs = new ConcurrentHashMap<>();
        AtomicInteger byFirst = new AtomicInteger();
        AtomicInteger bySecond = new AtomicInteger();
        ExecutorService publishers = Executors.newFixedThreadPool(PUBLISHERS);
        try (RedisTaskBroker broker = new RedisTaskBroker(factory, options)) {
            broker.consume("bulk", 256, task -> {
                runs.merge(task.id(), 1, Integer::sum);
                byFirst.incrementAndGet();
                return CompletableFuture.completedFuture(null);
            });
            broker.consume("bulk", 256, task -> {
                runs.merge(task.id(), 1, Integer::sum);
                bySecond.incrementAndGet();
                return CompletableFuture.completedFuture(null);
            });
            warmUp(broker);

            long start = System.nanoTime();
            List<Future<?>> sent = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                int first = p;
                sent.add(publishers.submit(() -> {
                    for (int i = first; i < TASKS; i += PUBLISHERS) {
                        broker.publish(new TaskMessage("b" + i, "bulk",
                                ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8), 1, 0, null, false));
                    }
                }));
            }
            for (Future<?> publishing : sent) {
                publishing.get();
            }
            long published = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> runs.size() == TASKS && broker.stats("bulk").pending() == 0);
            long done = System.nanoTime();

            double seconds = (done - start) / 1e9;
            System.out.printf("RedisTaskBroker: %d tasks published (%d threads) and run by 2 consumers in %.0f ms "
                    + "(publishing %.0f ms): %.0f tasks/s; split %d/%d%n", TASKS, PUBLISHERS, seconds * 1000,
                    (published - start) / 1e6, TASKS / seconds, byFirst.get(), bySecond.get());
            assertThat(runs.values()).allMatch(n -> n == 1);
            assertThat(broker.stats("bulk")).isEqualTo(new TaskQueueStats(0, 0, 0, 2));
            assertThat(broker.redelivered()).isZero();
            assertThat(TASKS / seconds).isGreaterThan(2_000);
        }
        finally {
            publishers.shutdownNow();
        }
    }

    /** Loads the code paths (scripts, codecs, JIT) before the measured run, on another task name. */
    private static void warmUp(RedisTaskBroker broker) {
        AtomicInteger ran = new AtomicInteger();
        broker.consume("warm-up", 64, task -> {
            ran.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        });
        for (int i = 0; i < 2000; i++) {
            broker.publish(new TaskMessage("w" + i, "warm-up", new byte[8], 1, 0, null, false));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> ran.get() == 2000);
    }
}
