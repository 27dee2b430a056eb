package dev.batcher.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import dev.batcher.task.TaskReport.FailureCode;
import dev.batcher.task.TaskReport.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * dingo's scenarios in remote mode, through {@link InMemoryTaskBroker}: publish, consume, run, report, acknowledge.
 * Plus what only the remote path has: payloads on the wire, their size limit, raw payloads from a hostile producer.
 */
class RemoteTaskQueueTest extends TaskQueueScenarios {

    private final InMemoryTaskBroker broker = new InMemoryTaskBroker(Duration.ofMillis(200), 3);

    @Override
    TaskQueue create(TaskRegistry registry, TaskQueueConfig.Builder config) {
        return TaskQueue.create("remote", config.mode(TaskQueueConfig.Mode.REMOTE).build(), registry, broker).start();
    }

    @AfterEach
    void closeBroker() {
        broker.close();
    }

    private static byte[] envelope(String json) {
        return new TaskEnvelope(1, 10_000, json.getBytes(StandardCharsets.UTF_8)).encode();
    }

    @Test
    void everyCallGoesThroughTheBrokerAndIsAcknowledgedAfterItsFinalReport() throws Exception {
        TaskRegistry registry = new TaskRegistry().register("sum", long.class, long.class, Long.class, Long::sum);
        TaskQueue queue = open(registry);
        for (int i = 0; i < 20; i++) {
            assertThat(queue.<Long>call("sum", i, 1).await(WAIT)).isEqualTo(i + 1L);
        }
        assertThat(broker.published).hasSize(20);
        await().atMost(WAIT).until(() -> broker.acknowledged.get() == 20);
        assertThat(broker.stats("sum").pending()).isZero();
    }

    @Test
    void aCallerOnlyProcessCallsAWorkerProcessThroughTheBroker() throws Exception {
        TaskRegistry workerSide = new TaskRegistry().register("upper", String.class, String.class,
                String::toUpperCase);
        open(workerSide, config -> config.role(TaskQueueConfig.Role.WORKER));
        TaskRegistry callerSide = new TaskRegistry().declare("upper", String.class, String.class);
        TaskQueue caller = open(callerSide, config -> config.role(TaskQueueConfig.Role.CLIENT));
        assertThat(caller.<String>call("upper", "dingo").await(WAIT)).isEqualTo("DINGO");
        assertThat(caller.stats("upper").succeeded()).isEqualTo(1);
    }

    @Test
    void aRawPayloadNamingAJavaClassIsRefusedByTheWorkerAndRunsNothing() {
        AtomicInteger runs = new AtomicInteger();
        TaskRegistry registry = new TaskRegistry()
                .register("anything", Object.class, String.class, value -> {
                    runs.incrementAndGet();
                    return String.valueOf(value);
                })
                .register("total", Order.class, Long.class, order -> {
                    runs.incrementAndGet();
                    return order.quantity();
                });
        open(registry);
        String gadget = "[{\"@class\":\"java.lang.ProcessBuilder\",\"command\":[\"touch\",\"/tmp/pwned\"]}]";
        for (String task : List.of("anything", "total")) {
            broker.publish(new TaskMessage("evil-" + task, task, envelope(gadget), 1, 0, null, true));
            await().atMost(WAIT).until(() -> broker.reports(task, "evil-" + task).stream()
                    .anyMatch(TaskReport::isFinal));
            TaskReport last = broker.reports(task, "evil-" + task).get(broker.reports(task, "evil-" + task).size() - 1);
            assertThat(last.failure()).isEqualTo(FailureCode.BAD_PAYLOAD);
            assertThat(last.message()).contains("@class");
        }
        assertThat(runs).hasValue(0);
    }

    @Test
    void aPayloadOverTheLimitIsRefusedByTheCallerAndNeverPublished() {
        AtomicInteger runs = new AtomicInteger();
        TaskRegistry registry = new TaskRegistry().register("store", String.class, Integer.class, text -> {
            runs.incrementAndGet();
            return text.length();
        });
        TaskQueue queue = open(registry, config -> config.maxPayloadBytes(1024));
        TaskCall<Integer> call = queue.call("store", "x".repeat(2000));
        assertThatExceptionOfType(TaskFailedException.class).isThrownBy(() -> call.await(WAIT))
                .satisfies(failed -> assertThat(failed.code()).isEqualTo(FailureCode.BAD_PAYLOAD))
                .withMessageContaining("max-payload-bytes=1024");
        assertThat(broker.published).isEmpty();
        assertThat(runs).hasValue(0);
    }

    @Test
    void aPayloadOverTheLimitFromAnotherProducerIsRefusedByTheWorkerUnread() {
        AtomicInteger runs = new AtomicInteger();
        TaskRegistry registry = new TaskRegistry().register("store", String.class, Integer.class, text -> {
            runs.incrementAndGet();
            return text.length();
        });
        open(registry, config -> config.maxPayloadBytes(1024));
        broker.publish(new TaskMessage("big", "store", envelope("[\"" + "x".repeat(2000) + "\"]"), 1, 0, null,
                false));
        await().atMost(WAIT).until(() -> broker.reports("store", "big").stream().anyMatch(TaskReport::isFinal));
        TaskReport report = broker.reports("store", "big").get(0);
        assertThat(report.kind()).isEqualTo(Kind.FAIL);
        assertThat(report.failure()).isEqualTo(FailureCode.BAD_PAYLOAD);
        assertThat(report.message()).contains("over max-payload-bytes=1024");
        assertThat(runs).hasValue(0);
    }

    @Test
    void aCustomMarshallerCarriesArgumentsAndResultsOverTheWire() throws Exception {
        LocalTaskQueueTest.CountingMarshaller marshaller = new LocalTaskQueueTest.CountingMarshaller();
        TaskRegistry registry = new TaskRegistry().register("sum", long.class, long.class, Long.class, Long::sum);
        TaskQueue queue = open(registry, config -> config.marshaller(marshaller));
        assertThat(queue.<Long>call("sum", TaskOptions.DEFAULTS.ignoreReports(), 1, 2).await(WAIT)).isEqualTo(3L);
        // arguments and result marshalled once each, and unmarshalled once each
        assertThat(marshaller.marshalled).hasValue(2);
        assertThat(marshaller.unmarshalled).hasValue(2);
    }

    @Test
    void aRetryIsPublishedAgainWithTheNextAttemptAndABackOff() throws Exception {
        TaskRegistry registry = new TaskRegistry().register("flaky", List.of(), String.class,
                (context, arguments) -> {
                    if (context.attempt() == 1) {
                        throw new IllegalStateException("first");
                    }
                    return "attempt " + context.attempt();
                });
        TaskQueue queue = open(registry, config -> config.retry(
                new dev.batcher.RetryOptions(2, Duration.ofMillis(100), 2.0, Duration.ofMillis(100))));
        assertThat(queue.<String>call("flaky").await(WAIT)).isEqualTo("attempt 2");
        assertThat(broker.published).hasSize(2);
        TaskMessage retry = broker.published.get(1);
        assertThat(retry.attempt()).isEqualTo(2);
        assertThat(retry.notBefore()).isNotNull();
    }
}
