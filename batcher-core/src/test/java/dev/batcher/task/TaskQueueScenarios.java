package dev.batcher.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import dev.batcher.RetryOptions;
import dev.batcher.task.TaskEvent.Level;
import dev.batcher.task.TaskEvent.Origin;
import dev.batcher.task.TaskReport.FailureCode;
import dev.batcher.task.TaskReport.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dingo's scenarios, run by {@link LocalTaskQueueTest} in local mode and by {@link RemoteTaskQueueTest} through the
 * in-memory broker: the same client and worker code must behave the same in both.
 */
abstract class TaskQueueScenarios {

    static final Duration WAIT = Duration.ofSeconds(10);

    /** An argument type a map converts to. */
    record Order(String id, long quantity) {
    }

    private final List<TaskQueue> queues = new ArrayList<>();

    /** Creates a queue in the mode under test, started. */
    abstract TaskQueue create(TaskRegistry registry, TaskQueueConfig.Builder config);

    TaskQueue open(TaskRegistry registry, Consumer<TaskQueueConfig.Builder> options) {
        TaskQueueConfig.Builder config = TaskQueueConfig.builder();
        options.accept(config);
        TaskQueue queue = create(registry, config);
        queues.add(queue);
        return queue;
    }

    TaskQueue open(TaskRegistry registry) {
        return open(registry, config -> { });
    }

    @AfterEach
    void shutDown() {
        queues.forEach(TaskQueue::shutdownNow);
    }

    static List<Kind> kinds(TaskCall<?> call) {
        return call.reportsSoFar().stream().map(TaskReport::kind).toList();
    }

    @Test
    void nPlusOneCallsEachReportSentProgressAndSuccessWithTheirResult() throws Exception {
        TaskRegistry registry = new TaskRegistry().register("add", List.of(long.class, long.class), Long.class,
                (context, arguments) -> {
                    context.progress(50);
                    return (Long) arguments[0] + (Long) arguments[1];
                });
        TaskQueue queue = open(registry);
        List<TaskCall<Long>> calls = new ArrayList<>();
        for (int i = 0; i <= 50; i++) {
            calls.add(queue.call("add", i, i + 1));
        }
        for (int i = 0; i <= 50; i++) {
            TaskCall<Long> call = calls.get(i);
            assertThat(call.await(WAIT)).isEqualTo(2L * i + 1);
            await().atMost(WAIT).until(() -> kinds(call).size() == 4);
            assertThat(kinds(call)).containsExactly(Kind.SENT, Kind.PROGRESS, Kind.PROGRESS, Kind.SUCCESS);
            assertThat(new String(call.reportsSoFar().get(2).payload())).isEqualTo("50");
            assertThat(new String(call.reportsSoFar().get(3).payload())).isEqualTo(Long.toString(2L * i + 1));
        }
        assertThat(queue.stats("add").succeeded()).isEqualTo(51);
    }

    @Test
    void ignoredReportsLeaveOnlyTheFinalOne() throws Exception {
        TaskRegistry registry = new TaskRegistry().register("echo", String.class, String.class, text -> text);
        TaskQueue queue = open(registry);
        List<TaskReport> heard = new CopyOnWriteArrayList<>();
        TaskCall<String> call = queue.<String>call("echo", TaskOptions.DEFAULTS.ignoreReports(), "hi")
                .onReport(heard::add);
        assertThat(call.await(WAIT)).isEqualTo("hi");
        await().atMost(WAIT).until(() -> heard.size() == 1);
        assertThat(heard).extracting(TaskReport::kind).containsExactly(Kind.SUCCESS);
        assertThat(call.reportsWanted()).isFalse();
    }

    @Test
    void aWorkerThatThrowsFailsTheCallWithWorkerThrew() {
        TaskRegistry registry = new TaskRegistry().register("boom", String.class, String.class, text -> {
            throw new IllegalStateException("no " + text);
        });
        TaskQueue queue = open(registry);
        List<TaskFailedException> failures = new CopyOnWriteArrayList<>();
        TaskCall<String> call = queue.<String>call("boom", "way").onFailure(failures::add);
        assertThatExceptionOfType(TaskFailedException.class).isThrownBy(() -> call.await(WAIT))
                .satisfies(failed -> assertThat(failed.code()).isEqualTo(FailureCode.WORKER_THREW))
                .withMessageContaining("'boom'").withMessageContaining("no way");
        await().atMost(WAIT).until(() -> failures.size() == 1);
        TaskReport last = call.reportsSoFar().get(call.reportsSoFar().size() - 1);
        assertThat(last.kind()).isEqualTo(Kind.FAIL);
        assertThat(last.failure()).isEqualTo(FailureCode.WORKER_THREW);
        assertThat(last.message()).contains("no way");
    }

    @Test
    void threeWorkersRunAtOnce() throws Exception {
        CyclicBarrier allThree = new CyclicBarrier(3);
        TaskRegistry registry = new TaskRegistry().register("meet", Integer.class, Integer.class, i -> {
            allThree.await(5, TimeUnit.SECONDS);
            return i;
        });
        TaskQueue queue = open(registry, config -> config.concurrency("meet", 3));
        List<TaskCall<Integer>> calls = List.of(queue.call("meet", 1), queue.call("meet", 2), queue.call("meet", 3));
        for (int i = 0; i < 3; i++) {
            assertThat(calls.get(i).await(WAIT)).isEqualTo(i + 1);
        }
    }

    @Test
    void manyNamesWithCollidingIdsKeepTheirOwnResults() throws Exception {
        TaskRegistry registry = new TaskRegistry();
        for (int n = 0; n < 5; n++) {
            String name = "task" + n;
            registry.register(name, Integer.class, String.class, i -> name + ":" + i);
        }
        TaskQueue queue = open(registry, config -> config.idMaker(TaskIdMaker.sequence()));
        Map<String, List<TaskCall<String>>> calls = new ConcurrentHashMap<>();
        for (int i = 0; i < 20; i++) {
            for (int n = 0; n < 5; n++) {
                calls.computeIfAbsent("task" + n, key -> new ArrayList<>()).add(queue.call("task" + n, i));
            }
        }
        for (int n = 0; n < 5; n++) {
            List<TaskCall<String>> ofName = calls.get("task" + n);
            for (int i = 0; i < 20; i++) {
                assertThat(ofName.get(i).id()).isEqualTo(Integer.toString(i + 1));
                assertThat(ofName.get(i).await(WAIT)).isEqualTo("task" + n + ":" + i);
            }
        }
    }

    @Test
    void eventsAreFilteredByLevelAndOrigin() throws Exception {
        TaskRegistry registry = new TaskRegistry()
                .register("ok", Integer.class, Integer.class, i -> i)
                .register("boom", Integer.class, Integer.class, i -> {
                    throw new IllegalArgumentException("bad " + i);
                });
        TaskQueue queue = open(registry);
        List<TaskEvent> errors = new CopyOnWriteArrayList<>();
        List<TaskEvent> clientDebug = new CopyOnWriteArrayList<>();
        queue.listen(EnumSet.of(Origin.WORKER), Level.ERROR, errors::add);
        queue.listen(EnumSet.of(Origin.CLIENT), Level.DEBUG, clientDebug::add);
        queue.call("ok", 1).await(WAIT);
        TaskCall<Integer> failing = queue.call("boom", 2);
        await().atMost(WAIT).until(failing::isDone);
        await().atMost(WAIT).until(() -> errors.size() == 1);
        await().atMost(WAIT).until(() -> clientDebug.stream().anyMatch(e -> e.message().startsWith("failed")));
        assertThat(errors).allSatisfy(event -> {
            assertThat(event.level()).isEqualTo(Level.ERROR);
            assertThat(event.origin()).isEqualTo(Origin.WORKER);
            assertThat(event.taskName()).isEqualTo("boom");
            assertThat(event.error()).hasMessageContaining("bad 2");
        });
        assertThat(clientDebug).extracting(TaskEvent::origin).containsOnly(Origin.CLIENT);
        assertThat(clientDebug).anyMatch(event -> "ok".equals(event.taskName()));
    }

    @Test
    void awaitReturnsTheResultOrTimesOutAndCallbacksRunExactlyOnceBeforeOrAfterTheOutcome() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        TaskRegistry registry = new TaskRegistry().register("slow", Integer.class, Integer.class, i -> {
            release.await();
            return i * 2;
        });
        TaskQueue queue = open(registry);
        AtomicInteger before = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        TaskCall<Integer> call = queue.<Integer>call("slow", 21).onSuccess(value -> before.addAndGet(value))
                .onFailure(failed -> failures.incrementAndGet());
        assertThatExceptionOfType(TimeoutException.class).isThrownBy(() -> call.await(Duration.ofMillis(100)));
        assertThat(before).hasValue(0);
        release.countDown();
        assertThat(call.await(WAIT)).isEqualTo(42);
        AtomicInteger after = new AtomicInteger();
        call.onSuccess(value -> after.addAndGet(value));
        CountDownLatch last = new CountDownLatch(1);
        call.onSuccess(value -> last.countDown());
        assertThat(last.await(10, TimeUnit.SECONDS)).isTrue();
        // Each ran once: the one set before the outcome and the ones set after (no order is promised between them).
        org.awaitility.Awaitility.await().untilAsserted(() -> {
            assertThat(before).hasValue(42);
            assertThat(after).hasValue(42);
        });
        assertThat(failures).hasValue(0);
    }

    @Test
    void anAttemptPastItsTimeoutFailsWithTimeoutAndItsWorkerIsInterrupted() {
        CountDownLatch interrupted = new CountDownLatch(1);
        TaskRegistry registry = new TaskRegistry().register("hang", Integer.class, Integer.class, i -> {
            try {
                new CountDownLatch(1).await();
            }
            catch (InterruptedException ex) {
                interrupted.countDown();
                throw ex;
            }
            return i;
        });
        TaskQueue queue = open(registry);
        TaskCall<Integer> call = queue.call("hang", TaskOptions.DEFAULTS.withTimeout(Duration.ofMillis(200)), 1);
        assertThatExceptionOfType(TaskFailedException.class).isThrownBy(() -> call.await(WAIT))
                .satisfies(failed -> assertThat(failed.code()).isEqualTo(FailureCode.TIMEOUT));
        await().atMost(WAIT).until(() -> interrupted.getCount() == 0);
    }

    @Test
    void argumentsAreConvertedToTheParameterTypesIntToLongAndMapToRecord() throws Exception {
        TaskRegistry registry = new TaskRegistry()
                .register("sum", long.class, long.class, Long.class, (a, b) -> a + b)
                .register("total", Order.class, Long.class, order -> order.quantity() * 10);
        TaskQueue queue = open(registry);
        Object sum = queue.call("sum", 1, 2).await(WAIT);
        assertThat(sum).isInstanceOf(Long.class).isEqualTo(3L);
        Object total = queue.call("total", Map.of("id", "a-1", "quantity", 4)).await(WAIT);
        assertThat(total).isEqualTo(40L);
    }

    @Test
    void aFailedAttemptIsRetriedAfterTheBackOffUntilItSucceeds() throws Exception {
        List<Long> startedAt = new CopyOnWriteArrayList<>();
        TaskRegistry registry = new TaskRegistry().register("flaky", List.of(String.class), String.class,
                (context, arguments) -> {
                    startedAt.add(System.nanoTime());
                    if (context.attempt() < 3) {
                        throw new IllegalStateException("attempt " + context.attempt());
                    }
                    return arguments[0] + " on attempt " + context.attempt();
                });
        TaskQueue queue = open(registry, config -> config.retry(
                new RetryOptions(3, Duration.ofMillis(100), 2.0, Duration.ofSeconds(1))));
        assertThat(queue.call("flaky", "done").await(WAIT)).isEqualTo("done on attempt 3");
        assertThat(startedAt).hasSize(3);
        assertThat(startedAt.get(1) - startedAt.get(0)).isGreaterThanOrEqualTo(Duration.ofMillis(90).toNanos());
        assertThat(startedAt.get(2) - startedAt.get(1)).isGreaterThanOrEqualTo(Duration.ofMillis(190).toNanos());
        assertThat(queue.stats("flaky").retried()).isEqualTo(2);
    }

    @Test
    void aCallFailsWithWorkerThrewOnceItsAttemptsAreUsedUp() {
        AtomicInteger runs = new AtomicInteger();
        TaskRegistry registry = new TaskRegistry().register("broken", Integer.class, Integer.class, i -> {
            runs.incrementAndGet();
            throw new IllegalStateException("always");
        });
        TaskQueue queue = open(registry, config -> config.retry(
                new RetryOptions(1, Duration.ofMillis(20), 2.0, Duration.ofMillis(20))));
        TaskCall<Integer> call = queue.call("broken", TaskOptions.DEFAULTS.withMaxAttempts(2), 1);
        assertThatExceptionOfType(TaskFailedException.class).isThrownBy(() -> call.await(WAIT))
                .satisfies(failed -> assertThat(failed.code()).isEqualTo(FailureCode.WORKER_THREW));
        assertThat(runs).hasValue(2);
    }

    @Test
    void aDelayedCallStartsNoEarlierThanItsDelay() throws Exception {
        TaskRegistry registry = new TaskRegistry().register("now", Long.class, (TaskFunction.Task0<Long>) System::nanoTime);
        TaskQueue queue = open(registry);
        long calledAt = System.nanoTime();
        long ranAt = queue.<Long>call("now", TaskOptions.DEFAULTS.withDelay(Duration.ofMillis(300))).await(WAIT);
        assertThat(ranAt - calledAt).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
    }

    @Test
    void aPayloadNamingAJavaClassIsRefusedAndRunsNothing(@TempDir Path dir) {
        Path marker = dir.resolve("pwned");
        AtomicInteger runs = new AtomicInteger();
        TaskRegistry registry = new TaskRegistry()
                .register("total", Order.class, Long.class, order -> {
                    runs.incrementAndGet();
                    return order.quantity();
                });
        TaskQueue queue = open(registry);
        Map<String, Object> gadget = Map.of("@class", "java.lang.ProcessBuilder",
                "command", List.of("touch", marker.toString()));
        TaskCall<Object> call = queue.call("total", gadget);
        assertThatExceptionOfType(TaskFailedException.class).isThrownBy(() -> call.await(WAIT))
                .satisfies(failed -> assertThat(failed.code()).isEqualTo(FailureCode.BAD_PAYLOAD))
                .withMessageContaining("@class");
        assertThat(runs).hasValue(0);
        assertThat(Files.exists(marker)).isFalse();
    }

    @Test
    void reportsArePublishedToAFlowSubscriberHonouringItsDemand() throws Exception {
        TaskRegistry registry = new TaskRegistry().register("echo", String.class, String.class, text -> text);
        TaskQueue queue = open(registry);
        TaskCall<String> call = queue.call("echo", "x");
        call.await(WAIT);
        List<Kind> received = new CopyOnWriteArrayList<>();
        CountDownLatch completed = new CountDownLatch(1);
        call.reports().subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                this.subscription = subscription;
                subscription.request(1);
            }

            @Override
            public void onNext(TaskReport item) {
                received.add(item.kind());
                subscription.request(1);
            }

            @Override
            public void onError(Throwable throwable) {
            }

            @Override
            public void onComplete() {
                completed.countDown();
            }
        });
        assertThat(completed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(received).containsExactly(Kind.SENT, Kind.PROGRESS, Kind.SUCCESS);
    }

    @Test
    void shutdownFailsTheCallsThatNeverRanWithShutdown() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        TaskRegistry registry = new TaskRegistry().register("block", Integer.class, Integer.class, i -> {
            running.countDown();
            new CountDownLatch(1).await();
            return i;
        });
        TaskQueue queue = open(registry, config -> config.concurrency(1));
        TaskCall<Integer> first = queue.call("block", 1);
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        TaskCall<Integer> second = queue.call("block", 2);
        queue.shutdownNow();
        for (TaskCall<Integer> call : List.of(first, second)) {
            assertThatExceptionOfType(TaskFailedException.class).isThrownBy(() -> call.await(WAIT))
                    .satisfies(failed -> assertThat(failed.code()).isEqualTo(FailureCode.SHUTDOWN));
        }
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> queue.call("block", 3))
                .withMessageContaining("closed");
    }

    @Test
    void closeDrainsTheCallsInFlight() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TaskRegistry registry = new TaskRegistry().register("work", Integer.class, Integer.class, i -> {
            running.countDown();
            release.await();
            return i + 1;
        });
        TaskQueue queue = open(registry);
        TaskCall<Integer> call = queue.call("work", 1);
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        Thread releaser = new Thread(() -> {
            await().atMost(WAIT).until(queue::isClosed);
            release.countDown();
        });
        releaser.start();
        assertThat(queue.close(WAIT)).isTrue();
        assertThat(call.await(WAIT)).isEqualTo(2);
        assertThat(queue.isDrained()).isTrue();
    }

    @Test
    void metricsListenerHearsSubmittedSucceededAndFailed() throws Exception {
        TaskRegistry registry = new TaskRegistry()
                .register("ok", Integer.class, Integer.class, i -> i)
                .register("boom", Integer.class, Integer.class, i -> {
                    throw new IllegalStateException();
                });
        TaskQueue queue = open(registry);
        List<String> heard = new CopyOnWriteArrayList<>();
        queue.addMetricsListener(new TaskMetricsListener() {
            @Override
            public void submitted(String taskName) {
                heard.add("submitted " + taskName);
            }

            @Override
            public void succeeded(String taskName, Duration duration) {
                heard.add("succeeded " + taskName);
            }

            @Override
            public void failed(String taskName, FailureCode code, Duration duration) {
                heard.add("failed " + taskName + " " + code);
            }
        });
        queue.call("ok", 1).await(WAIT);
        TaskCall<Integer> failing = queue.call("boom", 1);
        await().atMost(WAIT).until(failing::isDone);
        await().atMost(WAIT).until(() -> heard.size() == 4);
        assertThat(heard).containsExactlyInAnyOrder("submitted ok", "succeeded ok", "submitted boom",
                "failed boom WORKER_THREW");
        assertThat(queue.stats()).isEqualTo(new TaskStats(2, 1, 1, 0, 0, 0));
    }
}
