package dev.batcher.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.autoconfigure.BatchersEndpoint.BatcherDescriptor;
import dev.batcher.redis.RedisServerExtension;
import dev.batcher.spring.TaskWorker;
import dev.batcher.task.TaskCall;
import dev.batcher.task.TaskClient;
import dev.batcher.task.TaskQueue;
import dev.batcher.task.TaskQueueConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * {@link TaskQueueAutoConfiguration} in {@code batcher.tasks.mode=redis}, on a real {@code redis-server}
 * ({@link RedisServerExtension}): two application contexts stand for two processes of one application, one with
 * {@code batcher.tasks.role=client} (calls, runs nothing) and one with {@code role=worker} (runs its
 * {@code @TaskWorker} methods). Each test uses its own {@code batcher.tasks.redis.key-prefix}, so no test sees
 * another's streams. Local mode: {@link TaskQueueAutoConfigurationTests}.
 */
class TaskQueueRedisAutoConfigurationTests {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final Duration RESULT_TIMEOUT = Duration.ofSeconds(10);

    private final ApplicationContextRunner contextRunner = redisMode(redis)
            .withBean(Geometry.class)
            .withPropertyValues("batcher.shutdown.timeout=1s");

    /**
     * The task queue's auto-configurations in Redis mode, with the endpoint, health and meters, on a connection to
     * {@code redis}; shared with {@link TaskQueueRedisDeadLetterTests}.
     */
    static ApplicationContextRunner redisMode(RedisServerExtension redis) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class,
                        BatcherAutoConfiguration.class, TaskQueueAutoConfiguration.class,
                        RedisTaskBrokerAutoConfiguration.class, TaskQueueMetricsAutoConfiguration.class,
                        BatchersEndpointAutoConfiguration.class, BatchersHealthAutoConfiguration.class))
                .withBean(LettuceConnectionFactory.class, redis::newConnectionFactory)
                .withPropertyValues("management.endpoints.web.exposure.include=batchers", "batcher.tasks.mode=redis",
                        "batcher.tasks.redis.block-timeout=100ms");
    }

    private final String keyPrefix = "test-" + UUID.randomUUID() + ":tasks";

    private ApplicationContextRunner client() {
        return this.contextRunner.withBean(Caller.class)
                .withPropertyValues("batcher.tasks.role=client", "batcher.tasks.redis.key-prefix=" + this.keyPrefix,
                        "batcher.tasks.redis.instance-id=client");
    }

    private ApplicationContextRunner worker() {
        return this.contextRunner.withPropertyValues("batcher.tasks.role=worker",
                "batcher.tasks.redis.key-prefix=" + this.keyPrefix, "batcher.tasks.redis.instance-id=worker");
    }

    @Test
    void aClientContextCallsThroughTheInjectedClientAndAWorkerContextRunsTheTask() {
        client().run(client -> {
            assertThat(client).hasNotFailed();
            assertThat(client.getBean(TaskQueue.class).config().mode()).isEqualTo(TaskQueueConfig.Mode.REMOTE);
            assertThat(client.getBean(TaskQueue.class).config().role()).isEqualTo(TaskQueueConfig.Role.CLIENT);
            worker().run(worker -> {
                assertThat(worker).hasNotFailed();
                assertThat(worker.getBean(TaskQueue.class).config().role()).isEqualTo(TaskQueueConfig.Role.WORKER);
                Caller caller = client.getBean(Caller.class);
                assertThat(caller.client).isSameAs(client.getBean(TaskClient.class));
                // Integer arguments, long parameters; the record comes back typed in the calling context.
                assertThat(caller.square(7)).isEqualTo(new Square(7, 49));
                assertThat(caller.square(12)).isEqualTo(new Square(12, 144));
                assertThat(worker.getBean(Geometry.class).calls).hasValue(2);
                assertThat(client.getBean(Geometry.class).calls).as("calls run in the client context").hasValue(0);
                // Only the worker context consumes: one live consumer of "square" in Redis.
                await().atMost(RESULT_TIMEOUT).untilAsserted(() -> assertThat(task(client, "square"))
                        .containsEntry("workers", 1).containsEntry("depth", 0L).containsEntry("pending", 0L));
            });
        });
    }

    @Test
    void aCallMadeWhileNoWorkerRunsWaitsInTheStreamAndClosingTheWorkerContextStopsItsThreads() throws Exception {
        Set<Thread> before = taskThreads();
        client().run(client -> {
            assertThat(client).hasNotFailed();
            TaskCall<Square> waiting = client.getBean(TaskClient.class).call("square", 3);
            // The client context runs nothing: the task waits in Redis.
            await().atMost(RESULT_TIMEOUT).untilAsserted(() -> assertThat(task(client, "square"))
                    .containsEntry("depth", 1L).containsEntry("pending", 0L).containsEntry("workers", 0));
            assertThat(waiting.result()).isNotDone();
            assertThat(threadNames()).noneMatch(name -> name.startsWith("batcher-tasks-square-"));

            worker().run(worker -> {
                assertThat(worker).hasNotFailed();
                assertThat(waiting.await(RESULT_TIMEOUT)).isEqualTo(new Square(3, 9));
                assertThat(worker.getBean(Geometry.class).calls).hasValue(1);
                assertThat(threadNames()).anyMatch(name -> name.startsWith("batcher-tasks-square-"));
            });
            // The worker context is closed: its consumer and worker threads are gone, the client's queue still works.
            await().atMost(RESULT_TIMEOUT).untilAsserted(() -> assertThat(threadNames())
                    .noneMatch(name -> name.startsWith("batcher-tasks-square-") || name.contains("-square-worker")));
            assertThat(client.getBean(Geometry.class).calls).hasValue(0);

            TaskCall<Square> second = client.getBean(TaskClient.class).call("square", 5);
            await().atMost(RESULT_TIMEOUT).untilAsserted(() -> assertThat(task(client, "square"))
                    .containsEntry("depth", 1L));
            worker().run(worker -> assertThat(second.await(RESULT_TIMEOUT)).isEqualTo(new Square(5, 25)));
        });
        // Both contexts are closed: no thread of either queue or broker is left.
        await().atMost(RESULT_TIMEOUT).untilAsserted(() -> assertThat(taskThreads()).isSubsetOf(before));
    }

    @Test
    void endpointHealthAndMetersShowTheQueueReadFromRedis() {
        client().withBean(SimpleMeterRegistry.class).run(client -> {
            assertThat(client).hasNotFailed();
            TaskClient tasks = client.getBean(TaskClient.class);
            TaskCall<Square> first = tasks.call("square", 2);
            TaskCall<Square> second = tasks.call("square", 4);
            BatchersEndpoint endpoint = client.getBean(BatchersEndpoint.class);
            MeterRegistry meters = client.getBean(MeterRegistry.class);
            await().atMost(RESULT_TIMEOUT).untilAsserted(() -> {
                BatcherDescriptor queue = endpoint.batcher("tasks");
                assertThat(queue.bufferedItems()).as("depth").isEqualTo(2);
                assertThat(queue.inFlightItems()).as("pending").isZero();
                assertThat(queue.details()).containsEntry("mode", "redis").containsEntry("role", "client");
                assertThat(task(client, "square")).containsEntry("depth", 2L).containsEntry("pending", 0L)
                        .containsEntry("workers", 0).containsEntry("deadLettered", 0L)
                        .containsEntry("submitted", 2L).containsEntry("succeeded", 0L);
                assertThat(meters.get("batcher.tasks.depth").tags("name", "tasks", "kind", "tasks", "task", "square")
                        .gauge().value()).isEqualTo(2);
                assertThat(meters.get("batcher.tasks.workers").tags("task", "square").gauge().value()).isZero();
            });
            Health health = health(client);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("kind", "tasks").containsEntry("mode", "redis");

            worker().run(worker -> {
                assertThat(first.await(RESULT_TIMEOUT)).isEqualTo(new Square(2, 4));
                assertThat(second.await(RESULT_TIMEOUT)).isEqualTo(new Square(4, 16));
                await().atMost(RESULT_TIMEOUT).untilAsserted(() -> {
                    assertThat(task(client, "square")).containsEntry("depth", 0L).containsEntry("pending", 0L)
                            .containsEntry("workers", 1).containsEntry("succeeded", 2L);
                    assertThat(meters.get("batcher.tasks.depth").tags("task", "square").gauge().value()).isZero();
                    assertThat(meters.get("batcher.tasks.workers").tags("task", "square").gauge().value())
                            .isEqualTo(1);
                    assertThat(meters.get("batcher.tasks.dead.lettered").tags("task", "square").gauge().value())
                            .isZero();
                });
                assertThat(meters.get("batcher.tasks.succeeded").tags("task", "square").counter().count())
                        .isEqualTo(2);
            });
        });
    }

    @Test
    void healthIsDownNamingTheBrokerWhileRedisIsUnreachableAndUpAgainOnceItAnswers() {
        client().run(client -> {
            assertThat(client).hasNotFailed();
            client.getBean(TaskClient.class).call("square", 6);
            await().atMost(RESULT_TIMEOUT).untilAsserted(() -> assertThat(health(client).getStatus())
                    .isEqualTo(Status.UP));
            redis.stop();
            try {
                await().atMost(RESULT_TIMEOUT).untilAsserted(() -> {
                    Health down = health(client);
                    assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(String.valueOf(down.getDetails().get("problem")))
                            .startsWith("the task broker cannot be read");
                });
            }
            finally {
                redis.start(); // same port; Lettuce reconnects
            }
            // Lettuce reconnects to the restarted server: the queue reads the broker again and reports UP.
            await().atMost(RESULT_TIMEOUT).untilAsserted(() -> assertThat(health(client).getStatus())
                    .isEqualTo(Status.UP));
        });
    }

    /** The {@code batchers} endpoint's details of one task name (shared with the dead-letter tests). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> task(AssertableApplicationContext context, String name) {
        BatcherDescriptor queue = context.getBean(BatchersEndpoint.class).batcher("tasks");
        return ((Map<String, Map<String, Object>>) queue.details().get("tasks")).get(name);
    }

    /** The task queue's health (shared with the dead-letter tests). */
    static Health health(AssertableApplicationContext context) {
        CompositeHealthContributor batchers = context.getBean("batchersHealthContributor",
                CompositeHealthContributor.class);
        return ((HealthIndicator) batchers.getContributor("tasks")).health();
    }

    private static Set<Thread> taskThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().startsWith("batcher-tasks-"))
                .collect(Collectors.toSet());
    }

    private static Set<String> threadNames() {
        return taskThreads().stream().map(Thread::getName).collect(Collectors.toSet());
    }

    /** A square and its area: a typed result that travels as JSON. */
    public record Square(long side, long area) {
    }

    /** The worker, in every context; counts the calls it ran there. */
    public static class Geometry {

        final AtomicInteger calls = new AtomicInteger();

        /** Squares. */
        @TaskWorker("square")
        public Square square(long side) {
            this.calls.incrementAndGet();
            return new Square(side, side * side);
        }
    }

    /** A bean that calls through the injected client. */
    public static class Caller {

        final TaskClient client;

        Caller(TaskClient client) {
            this.client = client;
        }

        Square square(int side) throws Exception {
            TaskCall<Square> call = this.client.call("square", side);
            return call.await(RESULT_TIMEOUT);
        }
    }
}
