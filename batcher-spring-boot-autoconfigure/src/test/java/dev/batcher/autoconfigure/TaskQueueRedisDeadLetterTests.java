package dev.batcher.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static dev.batcher.autoconfigure.TaskQueueRedisAutoConfigurationTests.health;
import static dev.batcher.autoconfigure.TaskQueueRedisAutoConfigurationTests.task;
import static org.awaitility.Awaitility.await;

import dev.batcher.autoconfigure.BatchersEndpoint.BatcherDescriptor;
import dev.batcher.redis.RedisServerExtension;
import dev.batcher.spring.TaskWorker;
import dev.batcher.task.TaskCall;
import dev.batcher.task.TaskClient;
import dev.batcher.task.TaskContext;
import dev.batcher.task.TaskFailedException;
import dev.batcher.task.TaskReport;
import dev.batcher.task.TaskReport.FailureCode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A poison task in {@code batcher.tasks.mode=redis}, on a real {@code redis-server} ({@link RedisServerExtension}),
 * configured only through {@code batcher.tasks.*}: {@code redis.max-deliveries=2}, {@code redis.reclaim-idle-time=200ms}
 * and {@code retry.max-attempts=3} with a 50 ms back-off. One application context is the caller
 * ({@code role=client}); worker contexts ({@code role=worker}, each its own {@code instance-id}) come and go.
 *
 * <p>What the engine counts as a delivery: a read or a reclaim of the task's stream entry. A worker that dies mid-task
 * (here its context closes while the task runs, so the task is never acknowledged) leaves it pending; the next worker
 * reclaims it after the idle time, and once a reclaim would be delivery {@code max-deliveries + 1} the task goes to
 * the dead-letter stream with a {@code DEAD_LETTER} report. A worker that throws is a failed attempt instead: it is
 * retried (a new stream entry) and ends with {@code WORKER_THREW}, never in the dead-letter stream. Each test uses its
 * own {@code batcher.tasks.redis.key-prefix}. The rest of the Redis mode: {@link TaskQueueRedisAutoConfigurationTests}.
 */
class TaskQueueRedisDeadLetterTests {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final Duration RESULT_TIMEOUT = Duration.ofSeconds(10);

    private final ApplicationContextRunner contextRunner = TaskQueueRedisAutoConfigurationTests.redisMode(redis)
            .withBean(SimpleMeterRegistry.class)
            .withBean(Orders.class)
            .withPropertyValues("batcher.shutdown.timeout=300ms", "batcher.tasks.redis.max-deliveries=2",
                    "batcher.tasks.redis.reclaim-idle-time=200ms", "batcher.tasks.retry.max-attempts=3",
                    "batcher.tasks.retry.initial-backoff=50ms", "batcher.tasks.retry.multiplier=2",
                    // Longer than the test: a stuck attempt ends only when its worker dies, never by its timeout.
                    "batcher.tasks.timeout=5m");

    private final String keyPrefix = "test-" + UUID.randomUUID() + ":tasks";

    private ApplicationContextRunner client() {
        return this.contextRunner.withPropertyValues("batcher.tasks.role=client",
                "batcher.tasks.redis.key-prefix=" + this.keyPrefix, "batcher.tasks.redis.instance-id=client");
    }

    private ApplicationContextRunner worker(String instanceId) {
        return this.contextRunner.withPropertyValues("batcher.tasks.role=worker",
                "batcher.tasks.redis.key-prefix=" + this.keyPrefix, "batcher.tasks.redis.instance-id=" + instanceId);
    }

    @Test
    void aTaskWhoseWorkersDieMidTaskGoesToTheDeadLetterStreamAfterMaxDeliveriesAndItsCallerGetsDeadLetter() {
        client().run(client -> {
            assertThat(client).hasNotFailed();
            TaskCall<String> call = client.getBean(TaskClient.class).call("ship", "order-7");
            // Deliveries 1 and 2: each worker starts the task and dies (its context closes) before it ends.
            for (int delivery = 1; delivery <= 2; delivery++) {
                int number = delivery;
                worker("worker-" + delivery).run(worker -> {
                    assertThat(worker).hasNotFailed();
                    Orders orders = worker.getBean(Orders.class);
                    await("delivery " + number + " starts").atMost(RESULT_TIMEOUT)
                            .until(() -> orders.shipAttempts.size() == 1);
                    // A died delivery is not a failed attempt: the reclaimed task still runs as attempt 1.
                    assertThat(orders.shipAttempts).containsExactly(1);
                });
                assertThat(call.result()).as("after delivery %d", delivery).isNotDone();
            }
            // The next worker's reclaim would be delivery 3 > max-deliveries=2: dead-lettered, run nowhere.
            worker("worker-3").run(worker -> {
                assertThat(worker).hasNotFailed();
                assertThatExceptionOfType(TaskFailedException.class).isThrownBy(() -> call.await(RESULT_TIMEOUT))
                        .satisfies(failed -> {
                            assertThat(failed.code()).isEqualTo(FailureCode.DEAD_LETTER);
                            assertThat(failed.taskId()).isEqualTo(call.id());
                        })
                        .withMessageContaining("delivered 3 times, more than batcher.tasks.max-deliveries=2")
                        .withMessageContaining(this.keyPrefix + ":{ship}:dead");
                assertThat(worker.getBean(Orders.class).shipAttempts).as("runs in the third worker").isEmpty();
            });

            // The caller's reports: Sent, Progress for each delivery that started, then Fail with DEAD_LETTER.
            List<TaskReport> reports = call.reportsSoFar();
            assertThat(reports).extracting(TaskReport::kind).containsExactly(TaskReport.Kind.SENT,
                    TaskReport.Kind.PROGRESS, TaskReport.Kind.PROGRESS, TaskReport.Kind.FAIL);
            assertThat(reports.get(3).failure()).isEqualTo(FailureCode.DEAD_LETTER);

            // Redis: the dead-letter stream holds the task, with its stream id and delivery count; its stream is empty.
            StringRedisTemplate template = redis.newTemplate();
            List<MapRecord<String, Object, Object>> dead = template.opsForStream()
                    .range(this.keyPrefix + ":{ship}:dead", Range.unbounded());
            assertThat(dead).hasSize(1);
            Map<Object, Object> letter = dead.get(0).getValue();
            assertThat(letter).containsEntry("id", call.id()).containsEntry("attempt", "1")
                    .containsEntry("deliveries", "3").containsKey("stream-id");
            assertThat(String.valueOf(letter.get("payload"))).as("the task's arguments").contains("order-7");
            assertThat(template.opsForStream().size(this.keyPrefix + ":{ship}:stream")).isZero();

            // The caller's endpoint, meters and health.
            MeterRegistry meters = client.getBean(MeterRegistry.class);
            await().atMost(RESULT_TIMEOUT).untilAsserted(() -> {
                assertThat(task(client, "ship")).containsEntry("deadLettered", 1L).containsEntry("depth", 0L)
                        .containsEntry("pending", 0L).containsEntry("submitted", 1L).containsEntry("failed", 1L)
                        .containsEntry("succeeded", 0L);
                assertThat(meters.get("batcher.tasks.dead.lettered").tags("name", "tasks", "kind", "tasks", "task",
                        "ship").gauge().value()).isEqualTo(1);
                assertThat(meters.get("batcher.tasks.pending").tags("task", "ship").gauge().value()).isZero();
            });
            assertThat(meters.get("batcher.tasks.failed").tags("task", "ship", "code", "dead-letter").counter()
                    .count()).isEqualTo(1);
            assertThat(meters.find("batcher.tasks.retried").counters()).isEmpty();
            BatcherDescriptor queue = client.getBean(BatchersEndpoint.class).batcher("tasks");
            assertThat(queue.totals().droppedByReason()).containsExactly(Map.entry("dead-letter", 1L));
            assertThat(health(client).getStatus()).as("one failure is below max-consecutive-failures")
                    .isEqualTo(Status.UP);
        });
    }

    @Test
    void aWorkerThatThrowsIsRetriedWithBackOffAndFailsWithWorkerThrewWithoutBeingDeadLettered() {
        client().run(client -> worker("worker-1").run(worker -> {
            assertThat(client).hasNotFailed();
            assertThat(worker).hasNotFailed();
            TaskCall<String> call = client.getBean(TaskClient.class).call("refund", "order-8");
            assertThatExceptionOfType(TaskFailedException.class).isThrownBy(() -> call.await(RESULT_TIMEOUT))
                    .satisfies(failed -> assertThat(failed.code()).isEqualTo(FailureCode.WORKER_THREW))
                    .withMessageContaining("no refund for order-8");
            // Three attempts (retry.max-attempts=3), more than max-deliveries=2: retries are new deliveries.
            assertThat(worker.getBean(Orders.class).refundAttempts).containsExactly(1, 2, 3);

            MeterRegistry workerMeters = worker.getBean(MeterRegistry.class);
            assertThat(workerMeters.get("batcher.tasks.retried").tags("task", "refund").counter().count())
                    .isEqualTo(2);
            MeterRegistry meters = client.getBean(MeterRegistry.class);
            assertThat(meters.get("batcher.tasks.failed").tags("task", "refund", "code", "worker-threw").counter()
                    .count()).isEqualTo(1);
            await().atMost(RESULT_TIMEOUT).untilAsserted(() -> {
                assertThat(task(client, "refund")).containsEntry("deadLettered", 0L).containsEntry("depth", 0L)
                        .containsEntry("pending", 0L).containsEntry("failed", 1L);
                assertThat(meters.get("batcher.tasks.dead.lettered").tags("task", "refund").gauge().value())
                        .isZero();
            });
            StringRedisTemplate template = redis.newTemplate();
            assertThat(template.hasKey(this.keyPrefix + ":{refund}:dead")).isFalse();
        }));
    }


    /** The workers, in every context; each records the attempts it started there. */
    public static class Orders {

        final List<Integer> shipAttempts = new CopyOnWriteArrayList<>();

        final List<Integer> refundAttempts = new CopyOnWriteArrayList<>();

        private final CountDownLatch never = new CountDownLatch(1);

        /**
         * A poison task: it never ends; the worker running it dies first (its context closes and interrupts it).
         */
        @TaskWorker("ship")
        public String ship(String order, TaskContext context) throws InterruptedException {
            this.shipAttempts.add(context.attempt());
            this.never.await();
            return "shipped " + order;
        }

        /** Always throws. */
        @TaskWorker("refund")
        public String refund(String order, TaskContext context) {
            this.refundAttempts.add(context.attempt());
            throw new IllegalStateException("no refund for " + order);
        }
    }
}
