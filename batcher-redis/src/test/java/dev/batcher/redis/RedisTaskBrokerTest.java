package dev.batcher.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import dev.batcher.task.TaskBrokerException;
import dev.batcher.task.TaskDelivery;
import dev.batcher.task.TaskMessage;
import dev.batcher.task.TaskQueueStats;
import dev.batcher.task.TaskReport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

class RedisTaskBrokerTest {

    @RegisterExtension
    static final RedisServerExtension server = new RedisServerExtension();

    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private final List<RedisTaskBroker> brokers = new ArrayList<>();
    private final String prefix = "test" + PREFIXES.incrementAndGet() + ":tasks";
    private LettuceConnectionFactory factory;
    private StringRedisTemplate template;

    @AfterEach
    void closeBrokers() {
        brokers.forEach(RedisTaskBroker::close);
    }

    private RedisTaskBrokerOptions options() {
        return RedisTaskBrokerOptions.defaults().withKeyPrefix(prefix)
                .withReclaimIdleTime(Duration.ofMillis(400))
                .withBlockTimeout(Duration.ofMillis(100));
    }

    private RedisTaskBroker broker(RedisTaskBrokerOptions options) {
        if (factory == null) {
            factory = server.newConnectionFactory();
            template = new StringRedisTemplate(factory);
        }
        RedisTaskBroker broker = new RedisTaskBroker(factory, options);
        brokers.add(broker);
        return broker;
    }

    private static TaskMessage task(String name, String id) {
        return new TaskMessage(id, name, ("args-" + id).getBytes(StandardCharsets.UTF_8), 1, 0, null, true);
    }

    private static TaskReport report(TaskMessage task, TaskReport.Kind kind, String payload) {
        return new TaskReport(task.id(), task.name(), kind, payload.getBytes(StandardCharsets.UTF_8), null, null,
                Instant.now());
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Records every delivery and completes each after {@code then} (null: never). */
    private static final class Recorder implements TaskDelivery {

        final Queue<TaskMessage> delivered = new ConcurrentLinkedQueue<>();
        final CompletableFuture<Void> then;

        Recorder(CompletableFuture<Void> then) {
            this.then = then;
        }

        static Recorder acking() {
            return new Recorder(CompletableFuture.completedFuture(null));
        }

        static Recorder stuck() {
            return new Recorder(new CompletableFuture<>());
        }

        @Override
        public CompletableFuture<Void> deliver(TaskMessage task) {
            delivered.add(task);
            return then;
        }

        List<String> ids() {
            return delivered.stream().map(TaskMessage::id).toList();
        }
    }

    @Test
    void aPublishedTaskIsDeliveredReportedAndAcknowledgedAndTheSubscriberGetsEveryReportInOrder() throws Exception {
        RedisTaskBroker broker = broker(options());
        TaskMessage call = task("square", "t1");
        List<TaskReport> heard = new CopyOnWriteArrayList<>();
        broker.publish(call);
        broker.report(report(call, TaskReport.Kind.SENT, ""));
        try (AutoCloseable subscription = broker.subscribe("square", "t1", heard::add)) {
            Queue<TaskMessage> delivered = new ConcurrentLinkedQueue<>();
            broker.consume("square", 4, task -> {
                delivered.add(task);
                return CompletableFuture.runAsync(() -> {
                    broker.report(report(task, TaskReport.Kind.PROGRESS, "half"));
                    broker.report(report(task, TaskReport.Kind.SUCCESS, "result:" + text(task.payload())));
                });
            });

            await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 3);
            assertThat(heard).extracting(TaskReport::kind)
                    .containsExactly(TaskReport.Kind.SENT, TaskReport.Kind.PROGRESS, TaskReport.Kind.SUCCESS);
            assertThat(text(heard.get(2).payload())).isEqualTo("result:args-t1");
            assertThat(delivered).singleElement().satisfies(task -> {
                assertThat(task.id()).isEqualTo("t1");
                assertThat(task.delivery()).isEqualTo(1);
                assertThat(task.attempt()).isEqualTo(1);
                assertThat(task.reports()).isTrue();
            });
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(broker.stats("square")).isEqualTo(new TaskQueueStats(0, 0, 0, 1));
            assertThat(template.opsForStream().size(prefix + ":{square}:stream")).isZero(); // acked and deleted
        });
    }

    @Test
    void twoConsumersShareANamesTasksAndEachTaskIsDeliveredOnce() {
        RedisTaskBroker first = broker(options().withReadBatch(10));
        RedisTaskBroker second = broker(options().withReadBatch(10));
        Executor later = CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS);
        Map<String, Integer> runs = new ConcurrentHashMap<>();
        AtomicInteger byFirst = new AtomicInteger();
        AtomicInteger bySecond = new AtomicInteger();
        first.consume("share", 4, task -> {
            runs.merge(task.id(), 1, Integer::sum);
            byFirst.incrementAndGet();
            return CompletableFuture.runAsync(() -> { }, later);
        });
        second.consume("share", 4, task -> {
            runs.merge(task.id(), 1, Integer::sum);
            bySecond.incrementAndGet();
            return CompletableFuture.runAsync(() -> { }, later);
        });
        for (int i = 0; i < 200; i++) {
            first.publish(task("share", "s" + i));
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> runs.size() == 200
                && first.stats("share").pending() == 0);
        assertThat(runs.values()).allMatch(n -> n == 1);
        assertThat(byFirst.get()).isPositive();
        assertThat(bySecond.get()).isPositive();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(first.stats("share")).isEqualTo(new TaskQueueStats(0, 0, 0, 2)));
    }

    @Test
    void theTasksOfAClosedConsumerAreReclaimedByAnotherAfterTheIdleTimeWithDeliveryTwo() {
        RedisTaskBroker dying = broker(options());
        RedisTaskBroker survivor = broker(options());
        Recorder stuck = Recorder.stuck();
        AutoCloseable consumer = dying.consume("reclaim", 10, stuck);
        for (int i = 0; i < 3; i++) {
            dying.publish(task("reclaim", "r" + i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> stuck.delivered.size() == 3);
        dying.close(); // the consumer "dies" holding three unacknowledged tasks
        assertThat(survivor.stats("reclaim").pending()).isEqualTo(3);
        assertThat(consumer).isNotNull();

        long start = System.nanoTime();
        Recorder taker = Recorder.acking();
        survivor.consume("reclaim", 10, taker);

        await().atMost(Duration.ofSeconds(5)).until(() -> taker.delivered.size() == 3);
        assertThat(taker.ids()).containsExactlyInAnyOrder("r0", "r1", "r2");
        assertThat(taker.delivered).allMatch(task -> task.delivery() == 2);
        assertThat(survivor.redelivered()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> survivor.stats("reclaim").pending() == 0);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aDeadWorkersConsumerIsRemovedFromTheGroupOnceItsTasksWereReclaimed() {
        RedisTaskBroker dying = broker(options());
        RedisTaskBroker survivor = broker(options());
        String stream = prefix + ":{forget}:stream";
        Recorder stuck = Recorder.stuck();
        dying.consume("forget", 4, stuck);
        dying.publish(task("forget", "f1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> stuck.delivered.size() == 1);
        dying.close(); // the worker "dies" holding f1: its consumer stays in the group
        List<String> before = consumerNames(stream);
        assertThat(before).hasSize(1);

        Recorder taker = Recorder.acking();
        survivor.consume("forget", 4, taker);
        await().atMost(Duration.ofSeconds(5)).until(() -> taker.delivered.size() == 1);
        // Holding nothing once f1 was reclaimed, and silent for four reclaim idle times (4 x 400 ms): forgotten.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(consumerNames(stream)).hasSize(1).doesNotContain(before.get(0)));
        survivor.publish(task("forget", "f2"));
        await().atMost(Duration.ofSeconds(5)).until(() -> taker.delivered.size() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> survivor.stats("forget").pending() == 0);
    }

    private List<String> consumerNames(String stream) {
        return template.opsForStream().consumers(stream, RedisTaskBroker.GROUP).stream()
                .map(org.springframework.data.redis.connection.stream.StreamInfo.XInfoConsumer::consumerName)
                .toList();
    }

    @Test
    void aDeliveryThatNeverCompletesIsReclaimedByAnotherLiveConsumerAfterTheIdleTime() {
        RedisTaskBroker hung = broker(options());
        RedisTaskBroker healthy = broker(options());
        Recorder stuck = Recorder.stuck();
        java.util.concurrent.atomic.AtomicLong stuckAt = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong takenAt = new java.util.concurrent.atomic.AtomicLong();
        hung.consume("hang", 1, task -> {
            stuckAt.set(System.nanoTime());
            return stuck.deliver(task);
        });
        hung.publish(task("hang", "h1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> stuck.delivered.size() == 1);

        Recorder taker = Recorder.acking();
        healthy.consume("hang", 1, task -> {
            takenAt.set(System.nanoTime());
            return taker.deliver(task);
        });

        await().atMost(Duration.ofSeconds(5)).until(() -> taker.delivered.size() == 1);
        // Redis counts the idle time from its XREADGROUP, a little before the hung worker saw the task.
        assertThat(Duration.ofNanos(takenAt.get() - stuckAt.get())).isGreaterThan(Duration.ofMillis(350));
        assertThat(taker.delivered.peek().delivery()).isEqualTo(2);
        assertThat(stuck.delivered).hasSize(1); // the hung consumer does not take its own task back
        await().atMost(Duration.ofSeconds(5)).until(() -> healthy.stats("hang").pending() == 0);
    }

    @Test
    void aTaskDeliveredMoreThanMaxDeliveriesGoesToTheDeadLetterStreamWithADeadLetterReport() {
        RedisTaskBroker broker = broker(options().withMaxDeliveries(2));
        Recorder failing = new Recorder(CompletableFuture.failedFuture(new IllegalStateException("worker died")));
        List<TaskReport> heard = new CopyOnWriteArrayList<>();
        broker.subscribe("poison", "p1", heard::add);
        broker.consume("poison", 2, failing);
        broker.publish(task("poison", "p1"));

        await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 1);
        assertThat(failing.delivered).extracting(TaskMessage::delivery).containsExactly(1, 2);
        TaskReport fail = heard.get(0);
        assertThat(fail.kind()).isEqualTo(TaskReport.Kind.FAIL);
        assertThat(fail.failure()).isEqualTo(TaskReport.FailureCode.DEAD_LETTER);
        assertThat(fail.message()).contains("max-deliveries=2");
        var dead = template.opsForStream().range(prefix + ":{poison}:dead",
                org.springframework.data.domain.Range.unbounded());
        assertThat(dead).singleElement().satisfies(entry -> {
            assertThat(entry.getValue()).containsEntry("id", "p1").containsEntry("deliveries", "3")
                    .containsEntry("payload", "args-p1");
        });
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(broker.stats("poison")).isEqualTo(new TaskQueueStats(0, 0, 1, 1)));
        assertThat(broker.deadLetteredHere()).isEqualTo(1);
    }

    @Test
    void aDelayedTaskIsNotDeliveredBeforeItsNotBeforeTime() {
        RedisTaskBroker broker = broker(options());
        Map<String, Long> deliveredAt = new ConcurrentHashMap<>();
        broker.consume("later", 2, task -> {
            deliveredAt.put(task.id(), System.currentTimeMillis());
            return CompletableFuture.completedFuture(null);
        });
        Instant notBefore = Instant.now().plusMillis(800);
        TaskMessage delayed = new TaskMessage("d1", "later", new byte[] {1}, 1, 0, notBefore, false);
        broker.publish(delayed);
        broker.publish(task("later", "now1"));

        assertThat(broker.stats("later").depth()).isGreaterThanOrEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> deliveredAt.containsKey("d1"));
        assertThat(deliveredAt.get("d1")).isGreaterThanOrEqualTo(notBefore.toEpochMilli());
        assertThat(deliveredAt.get("d1")).isLessThan(notBefore.toEpochMilli() + 1000);
        assertThat(deliveredAt.get("now1")).isLessThan(notBefore.toEpochMilli());
        assertThat(template.opsForZSet().size(prefix + ":{later}:delayed")).isZero();
        assertThat(template.keys(prefix + ":{later}:delayed:*")).isEmpty();
    }

    @Test
    void reportsAreKeptForTheResultTtl() {
        RedisTaskBroker broker = broker(options().withResultTtl(Duration.ofSeconds(30)));
        TaskMessage call = task("ttl", "x1");
        broker.report(report(call, TaskReport.Kind.SUCCESS, "42"));

        Long ttl = template.getExpire(prefix + ":{ttl}:reports:x1", TimeUnit.MILLISECONDS);
        assertThat(ttl).isBetween(25_000L, 30_000L);
    }

    @Test
    void aLateSubscriberGetsTheStoredReportsOnceInOrder() throws Exception {
        RedisTaskBroker caller = broker(options());
        RedisTaskBroker worker = broker(options());
        TaskMessage call = task("late", "l1");
        worker.report(report(call, TaskReport.Kind.SENT, ""));
        worker.report(report(call, TaskReport.Kind.PROGRESS, "1"));
        worker.report(report(call, TaskReport.Kind.PROGRESS, "2"));
        worker.report(report(call, TaskReport.Kind.SUCCESS, "done"));
        List<String> heard = new CopyOnWriteArrayList<>();

        try (AutoCloseable subscription = caller.subscribe("late", "l1",
                r -> heard.add(r.kind() + ":" + text(r.payload())))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 4);
        }
        worker.report(report(call, TaskReport.Kind.SUCCESS, "again")); // after the final report: not heard
        caller.subscribe("late", "other", r -> { }); // one more round trip on the report thread
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> heard.size() == 4);
        assertThat(heard).containsExactly("SENT:", "PROGRESS:1", "PROGRESS:2", "SUCCESS:done");
    }

    @Test
    void subscribersOfManyTasksInterleavedWithNewReportsGetEachReportOnceInOrder() {
        RedisTaskBroker caller = broker(options());
        RedisTaskBroker worker = broker(options());
        Map<String, List<Integer>> heard = new ConcurrentHashMap<>();
        for (int t = 0; t < 50; t++) {
            String id = "m" + t;
            TaskMessage call = task("many", id);
            worker.report(report(call, TaskReport.Kind.PROGRESS, "1"));
            caller.subscribe("many", id, r -> heard.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>())
                    .add(Integer.parseInt(text(r.payload()))));
            for (int i = 2; i <= 5; i++) {
                worker.report(report(call, TaskReport.Kind.PROGRESS, Integer.toString(i)));
            }
            worker.report(report(call, TaskReport.Kind.SUCCESS, "6"));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 50
                && heard.values().stream().allMatch(list -> list.size() >= 6));
        assertThat(heard.values()).allSatisfy(list -> assertThat(list).containsExactly(1, 2, 3, 4, 5, 6));
    }

    @Test
    void reportsOfManyTasksSentAtOnceReachEachSubscriberOpenedBeforePublishOnceInOrderAndAreStored() {
        RedisTaskBroker caller = broker(options());
        RedisTaskBroker worker = broker(options());
        int tasks = 300;
        Map<String, List<String>> heard = new ConcurrentHashMap<>();
        for (int t = 0; t < tasks; t++) {
            String id = "c" + t;
            caller.subscribeBeforePublish("crowd", id, r -> heard.computeIfAbsent(id,
                    k -> new CopyOnWriteArrayList<>()).add(r.kind() + ":" + text(r.payload())));
            caller.publishAsync(task("crowd", id));
        }
        // Every task's reports at once from many threads, each task's in order: they share script calls and
        // announcements.
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            TaskMessage call = task("crowd", "c" + t);
            chains.add(CompletableFuture.supplyAsync(() -> null)
                    .thenCompose(v -> worker.reportAsync(report(call, TaskReport.Kind.PROGRESS, "1")))
                    .thenCompose(v -> worker.reportAsync(report(call, TaskReport.Kind.PROGRESS, "2")))
                    .thenCompose(v -> worker.reportAsync(report(call, TaskReport.Kind.SUCCESS, "done"))));
        }
        assertThat(CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new)))
                .succeedsWithin(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == tasks
                && heard.values().stream().allMatch(list -> list.size() >= 3));
        assertThat(heard.values()).allSatisfy(list -> assertThat(list)
                .containsExactly("PROGRESS:1", "PROGRESS:2", "SUCCESS:done"));
        assertThat(template.opsForList().size(prefix + ":{crowd}:reports:c" + (tasks - 1))).isEqualTo(3);
        assertThat(template.getExpire(prefix + ":{crowd}:reports:c0")).isPositive();
        await().atMost(Duration.ofSeconds(5)).until(() -> caller.stats("crowd").depth() == tasks);
    }

    @Test
    void statsCountDepthPendingDelayedAndConsumers() {
        RedisTaskBroker broker = broker(options());
        assertThat(broker.stats("count")).isEqualTo(new TaskQueueStats(0, 0, 0, 0));
        for (int i = 0; i < 5; i++) {
            broker.publish(task("count", "c" + i));
        }
        broker.publish(new TaskMessage("c-late", "count", new byte[0], 1, 0, Instant.now().plusSeconds(60), false));
        assertThat(broker.stats("count")).isEqualTo(new TaskQueueStats(6, 0, 0, 0));

        Recorder stuck = Recorder.stuck();
        broker.consume("count", 2, stuck);
        await().atMost(Duration.ofSeconds(5)).until(() -> stuck.delivered.size() == 2);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(broker.stats("count")).isEqualTo(new TaskQueueStats(4, 2, 0, 1)));
    }

    @Test
    void aPayloadOverTheLimitIsRefusedNamingTheOption() {
        RedisTaskBroker broker = broker(options().withMaxPayloadBytes(16));
        TaskMessage big = new TaskMessage("b1", "big", new byte[17], 1, 0, null, false);

        assertThatExceptionOfType(TaskBrokerException.class).isThrownBy(() -> broker.publish(big))
                .withMessageContaining("batcher.tasks.max-payload-bytes=16").withMessageContaining("17 bytes");
        assertThat(broker.stats("big").depth()).isZero();
    }

    @Test
    void closeStopsEveryThreadAndLeavesHeldTasksPending() {
        RedisTaskBroker broker = broker(options());
        Recorder stuck = Recorder.stuck();
        broker.consume("closing", 3, stuck);
        broker.subscribe("closing", "k0", r -> { });
        broker.publish(new TaskMessage("k-late", "closing", new byte[0], 1, 0, Instant.now().plusSeconds(60), false));
        for (int i = 0; i < 3; i++) {
            broker.publish(task("closing", "k" + i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> stuck.delivered.size() == 3);
        assertThat(brokerThreads()).isNotEmpty();

        broker.close();

        assertThat(brokerThreads()).isEmpty();
        RedisTaskBroker observer = broker(options());
        assertThat(observer.stats("closing").pending()).isEqualTo(3);
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> broker.publish(task("closing", "z")))
                .withMessageContaining("closed");
    }

    private static List<String> brokerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("batcher-tasks-")).collect(Collectors.toList());
    }
}
