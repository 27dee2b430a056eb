package dev.batcher.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.redis.RedisServerExtension;
import dev.batcher.task.TaskQueue;
import dev.batcher.task.TaskQueueConfig;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The sample app in profile {@code redis}, started twice in this JVM against a real {@code redis-server}
 * ({@link RedisServerExtension}): a web app with {@code batcher.tasks.role=client}, which runs no task, and a worker
 * only ({@code --batcher.tasks.role=worker --spring.main.web-application-type=none --demo.events=0}). The web app's
 * report job waits in Redis until the worker starts, and the worker runs it. Both share one in-memory H2 database,
 * as two processes would share PostgreSQL.
 */
class RedisWorkerRoleTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void aReportJobPostedToTheWebAppIsRunByTheWorkerApp() throws Exception {
        String id = UUID.randomUUID().toString();
        String[] shared = { "--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port(),
                "--batcher.tasks.redis.key-prefix=sample-test-" + id + ":tasks",
                "--spring.datasource.url=jdbc:h2:mem:redis-worker-role-" + id
                        + ";DB_CLOSE_DELAY=-1;DB_CLOSE_ON_EXIT=FALSE",
                "--demo.events=0" };
        try (ConfigurableApplicationContext web = start(shared, "--server.port=0", "--batcher.tasks.role=client")) {
            TaskQueue queue = web.getBean(TaskQueue.class);
            assertThat(queue.config().mode()).isEqualTo(TaskQueueConfig.Mode.REMOTE);
            assertThat(queue.config().role()).isEqualTo(TaskQueueConfig.Role.CLIENT);
            Http http = new Http(web.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
            for (int i = 0; i < 3; i++) {
                assertThat(http.post("/events", Http.event(i == 0 ? "click" : "view", "r" + i)).statusCode())
                        .isEqualTo(202);
            }
            await().atMost(TIMEOUT).until(() -> http.count() >= 3);

            HttpResponse<String> started = http.post("/reports?minutes=60", "");
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            String report = Http.json(started).get("id").asString();
            // No worker yet: the job waits in the stream and has stored nothing.
            await().atMost(TIMEOUT).until(() -> queue.queueStats("report").depth() == 1);
            assertThat(http.get("/reports/" + report).statusCode()).isEqualTo(404);

            try (ConfigurableApplicationContext worker = start(shared, "--batcher.tasks.role=worker",
                    "--spring.main.web-application-type=none")) {
                assertThat(worker.getBean(TaskQueue.class).config().role()).isEqualTo(TaskQueueConfig.Role.WORKER);
                await().atMost(TIMEOUT).until(() -> http.get("/reports/" + report).statusCode() == 200);
                JsonNode row = Http.json(http.get("/reports/" + report));
                assertThat(row.get("EVENTS").asLong()).isEqualTo(3);
                assertThat(row.get("TYPES").asInt()).isEqualTo(2);
                // The web app's call got the worker's Success back.
                await().atMost(TIMEOUT).until(() -> queue.stats("report").succeeded() == 1);
                assertThat(queue.queueStats("report").depth()).isZero();
            }
        }
    }

    private static ConfigurableApplicationContext start(String[] shared, String... args) {
        String[] all = new String[shared.length + args.length];
        System.arraycopy(shared, 0, all, 0, shared.length);
        System.arraycopy(args, 0, all, shared.length, args.length);
        return new SpringApplicationBuilder(SampleApplication.class).profiles("redis").run(all);
    }
}
