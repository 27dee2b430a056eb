package dev.batcher.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.autoconfigure.BatchersEndpoint.BatcherDescriptor;
import dev.batcher.spring.TaskWorker;
import dev.batcher.task.TaskCall;
import dev.batcher.task.TaskClient;
import dev.batcher.task.TaskContext;
import dev.batcher.task.TaskFailedException;
import dev.batcher.task.TaskQueue;
import dev.batcher.task.TaskQueueConfig;
import dev.batcher.task.TaskReport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@link TaskQueueAutoConfiguration} in local mode: {@code batcher.tasks.*} binding and validation,
 * {@code @TaskWorker} discovery and its errors, the injectable {@link TaskClient}, a round trip, the endpoint's
 * details, health and meters. Redis mode: {@code TaskQueueRedisAutoConfigurationTests}.
 */
class TaskQueueAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, BatcherAutoConfiguration.class,
                    TaskQueueAutoConfiguration.class, RedisTaskBrokerAutoConfiguration.class,
                    TaskQueueMetricsAutoConfiguration.class, BatchersEndpointAutoConfiguration.class,
                    BatchersHealthAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=batchers", "batcher.shutdown.timeout=1s");

    @Test
    void everyPropertyBindsToTheQueueOptions() {
        this.contextRunner.withBean(Arithmetic.class)
                .withPropertyValues("batcher.tasks.role=worker", "batcher.tasks.concurrency=3",
                        "batcher.tasks.workers.add.concurrency=7", "batcher.tasks.timeout=20s",
                        "batcher.tasks.retry.max-attempts=4", "batcher.tasks.retry.initial-backoff=50ms",
                        "batcher.tasks.retry.multiplier=3", "batcher.tasks.retry.max-backoff=2s",
                        "batcher.tasks.max-payload-bytes=64KB", "batcher.tasks.drain-timeout=3s",
                        "batcher.tasks.redis.key-prefix=app:tasks", "batcher.tasks.redis.reclaim-idle-time=5s",
                        "batcher.tasks.redis.max-deliveries=3", "batcher.tasks.redis.result-ttl=10m",
                        "batcher.tasks.redis.block-timeout=200ms", "batcher.tasks.redis.read-batch=50",
                        "batcher.tasks.redis.delayed-poll-interval=20ms", "batcher.tasks.redis.instance-id=w1")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    TaskQueueConfig config = context.getBean(TaskQueue.class).config();
                    assertThat(config.mode()).isEqualTo(TaskQueueConfig.Mode.LOCAL);
                    assertThat(config.role()).isEqualTo(TaskQueueConfig.Role.WORKER);
                    assertThat(config.concurrency()).isEqualTo(3);
                    assertThat(config.concurrency("add")).isEqualTo(7);
                    assertThat(config.concurrency("other")).isEqualTo(3);
                    assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(20));
                    assertThat(config.retry().maxAttempts()).isEqualTo(4);
                    assertThat(config.retry().initialBackoff()).isEqualTo(Duration.ofMillis(50));
                    assertThat(config.retry().multiplier()).isEqualTo(3.0);
                    assertThat(config.retry().maxBackoff()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(config.maxPayloadBytes()).isEqualTo(64 * 1024);
                    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(3));
                    TaskProperties.Redis redis = context.getBean(BatcherProperties.class).getTasks().getRedis();
                    assertThat(RedisTaskBrokerAutoConfiguration.options(context.getBean(BatcherProperties.class)
                            .getTasks())).satisfies(options -> {
                                assertThat(options.keyPrefix()).isEqualTo("app:tasks");
                                assertThat(options.reclaimIdleTime()).isEqualTo(Duration.ofSeconds(5));
                                assertThat(options.maxDeliveries()).isEqualTo(3);
                                assertThat(options.resultTtl()).isEqualTo(Duration.ofMinutes(10));
                                assertThat(options.maxPayloadBytes()).isEqualTo(64 * 1024);
                                assertThat(options.blockTimeout()).isEqualTo(Duration.ofMillis(200));
                                assertThat(options.readBatch()).isEqualTo(50);
                                assertThat(options.delayedPollInterval()).isEqualTo(Duration.ofMillis(20));
                                assertThat(options.instanceId()).isEqualTo("w1");
                            });
                    assertThat(redis.getKeyPrefix()).isEqualTo("app:tasks");
                });
    }

    @Test
    void defaultsAreTheEnginesAndLocalModeNeedsNoRedis() {
        this.contextRunner.withBean(Arithmetic.class).run(context -> {
            assertThat(context).hasNotFailed();
            TaskQueueConfig config = context.getBean(TaskQueue.class).config();
            TaskQueueConfig defaults = TaskQueueConfig.defaults();
            assertThat(config.mode()).isEqualTo(TaskQueueConfig.Mode.LOCAL);
            assertThat(config.role()).isEqualTo(TaskQueueConfig.Role.BOTH);
            assertThat(config.concurrency()).isEqualTo(defaults.concurrency());
            assertThat(config.timeout()).isEqualTo(defaults.timeout());
            assertThat(config.retry()).isEqualTo(defaults.retry());
            assertThat(config.maxPayloadBytes()).isEqualTo(defaults.maxPayloadBytes());
            assertThat(config.drainTimeout()).isEqualTo(defaults.drainTimeout());
            dev.batcher.redis.RedisTaskBrokerOptions redis = RedisTaskBrokerAutoConfiguration.options(new TaskProperties());
            assertThat(redis).isEqualTo(dev.batcher.redis.RedisTaskBrokerOptions.defaults()
                    .withInstanceId(redis.instanceId()));
        });
    }

    @Test
    void invalidValuesFailStartupNamingPropertyValueAndFix() {
        this.contextRunner.withBean(Arithmetic.class).withPropertyValues("batcher.tasks.concurrency=0")
                .run(context -> assertStartupFailure(context, InvalidTaskPropertyException.class,
                        "batcher.tasks.concurrency=0: must be at least 1. Update batcher.tasks.concurrency in your "
                                + "configuration, or remove it to use the default."));
        this.contextRunner.withBean(Arithmetic.class).withPropertyValues("batcher.tasks.workers.add.concurrency=-2")
                .run(context -> assertStartupFailure(context, InvalidTaskPropertyException.class,
                        "batcher.tasks.workers.add.concurrency=-2: must be at least 1"));
        this.contextRunner.withBean(Arithmetic.class).withPropertyValues("batcher.tasks.retry.multiplier=0.5")
                .run(context -> assertStartupFailure(context, InvalidTaskPropertyException.class,
                        "batcher.tasks.retry.multiplier=0.5: must be at least 1"));
        this.contextRunner.withBean(Arithmetic.class).withPropertyValues("batcher.tasks.timeout=0s")
                .run(context -> assertStartupFailure(context, InvalidTaskPropertyException.class,
                        "batcher.tasks.timeout=0s: must be positive"));
        this.contextRunner.withBean(Arithmetic.class).withPropertyValues("batcher.tasks.concurency=2")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause()
                            .isInstanceOf(UnboundConfigurationPropertiesException.class);
                });
    }

    @Test
    void redisModeWithoutAConnectionFactoryFailsStartupSayingWhatToAdd() {
        this.contextRunner.withBean(Arithmetic.class).withPropertyValues("batcher.tasks.mode=redis")
                .run(context -> assertStartupFailure(context, BatcherStartupException.class,
                        "batcher.tasks.mode=redis needs a Redis connection, but there is no RedisConnectionFactory",
                        "spring-boot-starter-data-redis", "or set batcher.tasks.mode=local"));
    }

    @Test
    void taskWorkersAreCalledThroughTheInjectedClientWithCoercionProgressAndResults() {
        this.contextRunner.withBean(Arithmetic.class).withBean(Caller.class).run(context -> {
            assertThat(context).hasNotFailed();
            TaskClient client = context.getBean(TaskClient.class);
            assertThat(client).isSameAs(context.getBean(TaskQueue.class)).isSameAs(context.getBean(Caller.class).client);
            assertThat(context.getBean(TaskQueue.class).registry().workerNames()).containsExactly("add", "fail", "greet");

            assertThat(context.getBean(Caller.class).add(2, 3)).isEqualTo(5L); // Integer arguments to long
            List<TaskReport.Kind> kinds = new CopyOnWriteArrayList<>();
            TaskCall<String> greet = client.call("greet", "Ada");
            greet.onReport(report -> kinds.add(report.kind()));
            assertThat(greet.await(Duration.ofSeconds(5))).isEqualTo("hello Ada");
            await().untilAsserted(() -> assertThat(kinds).containsExactly(TaskReport.Kind.SENT,
                    TaskReport.Kind.PROGRESS, TaskReport.Kind.PROGRESS, TaskReport.Kind.SUCCESS));

            TaskCall<Object> failing = client.call("fail", "boom");
            assertThat(failing.result()).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                    .havingCause().isInstanceOf(TaskFailedException.class).withMessageContaining("WORKER_THREW")
                    .withMessageContaining("boom");
        });
    }

    @Test
    void twoWorkersForOneNameFailStartupNamingBothBeansAndTheFix() {
        this.contextRunner.withBean("arithmetic", Arithmetic.class).withBean("moreArithmetic", MoreArithmetic.class)
                .run(context -> assertStartupFailure(context, BatcherStartupException.class,
                        "Two @TaskWorker methods for task 'add': "
                                + "'TaskQueueAutoConfigurationTests.Arithmetic.add(long, long)' on bean 'arithmetic' and "
                                + "'TaskQueueAutoConfigurationTests.MoreArithmetic.add(int, int)' on bean "
                                + "'moreArithmetic'",
                        "Rename one of them, such as @TaskWorker(\"add-2\"), or remove one."));
    }

    @Test
    void aWorkerTheQueueCannotCallFailsStartupNamingBeanMethodAndFix() {
        this.contextRunner.withBean("twice", TwoContexts.class)
                .run(context -> assertStartupFailure(context, BatcherStartupException.class,
                        "Invalid @TaskWorker method 'TaskQueueAutoConfigurationTests.TwoContexts.run(TaskContext, "
                                + "TaskContext)' on bean 'twice'",
                        "takes TaskContext twice", "Make it a public method whose parameters are the call's arguments"));
        this.contextRunner.withBean("blank", BlankName.class)
                .run(context -> assertStartupFailure(context, BatcherStartupException.class,
                        "@TaskWorker on 'TaskQueueAutoConfigurationTests.BlankName.run()' on bean 'blank' has a "
                                + "blank task name"));
    }

    @Test
    void endpointShowsTheQueueWithPerTaskDetails() {
        this.contextRunner.withBean(Arithmetic.class).run(context -> {
            TaskQueue queue = context.getBean(TaskQueue.class);
            queue.<Long>call("add", 1, 2).await(Duration.ofSeconds(5));
            queue.call("fail", "x").result().exceptionally(ex -> null).join();
            BatchersEndpoint endpoint = context.getBean(BatchersEndpoint.class);
            assertThat(endpoint.batchers().batchers()).extracting(BatcherDescriptor::name).containsExactly("tasks");
            BatcherDescriptor tasks = endpoint.batcher("tasks");
            assertThat(tasks.kind()).isEqualTo("tasks");
            assertThat(tasks.totals().submitted()).isEqualTo(2);
            assertThat(tasks.totals().sent()).isEqualTo(1);
            assertThat(tasks.totals().dropped()).isEqualTo(1);
            assertThat(tasks.totals().droppedByReason()).containsEntry("worker-threw", 1L);
            assertThat(tasks.watchers()).containsExactly("add", "fail", "greet");
            assertThat(tasks.details()).containsEntry("mode", "local").containsEntry("role", "both");
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> perTask = (Map<String, Map<String, Object>>) tasks.details().get("tasks");
            assertThat(perTask.get("add")).containsEntry("submitted", 1L).containsEntry("succeeded", 1L)
                    .containsEntry("failed", 0L).containsEntry("depth", 0L).containsEntry("pending", 0L)
                    .containsEntry("workers", 1).containsEntry("deadLettered", 0L);
            assertThat(perTask.get("fail")).containsEntry("failed", 1L);
            assertThat(endpoint.control("tasks", "pause").paused()).isTrue();
            assertThat(endpoint.control("tasks", "resume").paused()).isFalse();
        });
    }

    @Test
    void healthIsDownWhileCallsKeepFailing() {
        this.contextRunner.withBean(Arithmetic.class).withPropertyValues("batcher.health.max-consecutive-failures=3")
                .run(context -> {
                    CompositeHealthContributor batchers = context.getBean("batchersHealthContributor",
                            CompositeHealthContributor.class);
                    assertThat(health(batchers).getStatus()).isEqualTo(Status.UP);
                    assertThat(health(batchers).getDetails()).containsEntry("kind", "tasks")
                            .containsEntry("mode", "local").containsEntry("state", "RUNNING");
                    TaskQueue queue = context.getBean(TaskQueue.class);
                    for (int i = 0; i < 3; i++) {
                        queue.call("fail", "x" + i).result().exceptionally(ex -> null).join();
                    }
                    assertThat(health(batchers).getStatus()).isEqualTo(Status.DOWN);
                    assertThat(health(batchers).getDetails().get("problem")).asString()
                            .contains("3 calls failed in a row", "batcher.health.max-consecutive-failures=3");
                    queue.<Long>call("add", 1, 1).await(Duration.ofSeconds(5));
                    assertThat(health(batchers).getStatus()).isEqualTo(Status.UP);
                });
    }

    @Test
    void metersCountCallsByTaskAndOutcomeAndGaugeTheQueue() {
        this.contextRunner.withBean(Arithmetic.class).withBean(SimpleMeterRegistry.class).run(context -> {
            TaskQueue queue = context.getBean(TaskQueue.class);
            List<TaskCall<Long>> calls = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                calls.add(queue.call("add", i, i));
            }
            for (TaskCall<Long> call : calls) {
                call.await(Duration.ofSeconds(5));
            }
            queue.call("fail", "x").result().exceptionally(ex -> null).join();
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get("batcher.tasks.submitted").tags("name", "tasks", "kind", "tasks", "task", "add")
                    .counter().count()).isEqualTo(5);
            assertThat(meters.get("batcher.tasks.succeeded").tags("task", "add").counter().count()).isEqualTo(5);
            assertThat(meters.get("batcher.tasks.failed").tags("task", "fail", "code", "worker-threw").counter()
                    .count()).isEqualTo(1);
            assertThat(meters.get("batcher.tasks.duration").tags("task", "add", "outcome", "success").timer().count())
                    .isEqualTo(5);
            assertThat(meters.get("batcher.tasks.depth").tags("task", "add").gauge().value()).isZero();
            assertThat(meters.get("batcher.tasks.pending").tags("task", "add").gauge().value()).isZero();
            assertThat(meters.get("batcher.tasks.dead.lettered").tags("task", "add").gauge().value()).isZero();
            assertThat(meters.get("batcher.tasks.workers").tags("task", "add").gauge().value()).isEqualTo(1);
        });
    }

    @Test
    void closingTheContextDrainsTheQueueAndRemovesItsMeters() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        TaskQueue[] queue = new TaskQueue[1];
        this.contextRunner.withBean(Arithmetic.class).withBean(MeterRegistry.class, () -> meters).run(context -> {
            queue[0] = context.getBean(TaskQueue.class);
            assertThat(meters.find("batcher.tasks.depth").gauges()).isNotEmpty();
        });
        assertThat(queue[0].isClosed()).isTrue();
        assertThat(meters.find("batcher.tasks.depth").gauges()).isEmpty();
    }

    private static Health health(CompositeHealthContributor batchers) {
        return ((HealthIndicator) batchers.getContributor("tasks")).health();
    }

    static void assertStartupFailure(AssertableApplicationContext context, Class<? extends Throwable> type,
            String... fragments) {
        assertThat(context).hasFailed();
        Throwable failure = context.getStartupFailure();
        while (failure != null && !type.isInstance(failure)) {
            failure = failure.getCause();
        }
        assertThat(failure).as("a %s in %s", type.getSimpleName(), context.getStartupFailure()).isNotNull();
        assertThat(failure.getMessage()).contains(fragments);
    }

    /** Workers. */
    public static class Arithmetic {

        /** Adds. */
        @TaskWorker("add")
        public long add(long a, long b) {
            return a + b;
        }

        /** Greets, reporting progress. */
        @TaskWorker("greet")
        public String greet(String name, TaskContext context) {
            context.progress("half");
            return "hello " + name;
        }

        /** Fails. */
        @TaskWorker("fail")
        public void fail(String message) {
            throw new IllegalStateException(message);
        }
    }

    /** A second worker of {@code add}. */
    public static class MoreArithmetic {

        /** Adds again. */
        @TaskWorker("add")
        public int add(int a, int b) {
            return a + b;
        }
    }

    /** A worker taking its context twice. */
    public static class TwoContexts {

        /** Invalid. */
        @TaskWorker("twice")
        public void run(TaskContext a, TaskContext b) {
        }
    }

    /** A worker without a name. */
    public static class BlankName {

        /** Invalid. */
        @TaskWorker(" ")
        public void run() {
        }
    }

    /** A bean that calls through the injected client. */
    public static class Caller {

        final TaskClient client;

        Caller(TaskClient client) {
            this.client = client;
        }

        long add(int a, int b) {
            TaskCall<Long> call = this.client.call("add", a, b);
            return call.result().join();
        }
    }
}
