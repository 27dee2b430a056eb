package dev.batcher.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.dispatch.Dispatcher;
import dev.batcher.spring.BatcherRegistry;
import dev.batcher.dispatch.DispatcherStats;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Closing the app while clients keep posting loses nothing that was accepted: every {@code 202} becomes a row. The
 * rows are counted after the context is closed, with plain JDBC on the H2 file the app wrote.
 */
class GracefulShutdownTest {

    @TempDir
    Path dir;

    @Test
    void closingTheContextUnderLoadStoresEveryAcceptedEvent() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("events").toAbsolutePath();
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class).run(
                "--server.port=0",
                "--demo.events=0",
                "--spring.datasource.url=" + url,
                // Full batches go out while clients post; the last, partly filled one waits for the drain.
                "--batcher.dispatchers.events.max-batch-items=500",
                "--batcher.dispatchers.events.max-batch-age=10s");
        Dispatcher<?> dispatcher = context.getBean(BatcherRegistry.class).dispatcher("events");
        Http http = new Http(Integer.parseInt(context.getEnvironment().getProperty("local.server.port")));

        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            Thread client = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        HttpResponse<String> response = http.tryPost("/events", Http.event("click", thread + "-" + i));
                        if (response.statusCode() == 202) {
                            accepted.incrementAndGet();
                        } else {
                            refused.incrementAndGet();
                        }
                    } catch (IOException e) {
                        return; // the server has stopped listening
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "client-" + t);
            client.start();
            clients.add(client);
        }

        await().atMost(Duration.ofSeconds(30))
                .until(() -> accepted.get() >= 1500 && dispatcher.stats().bufferedItems() > 0);
        context.close();
        DispatcherStats afterClose = dispatcher.stats();
        stop.set(true);
        for (Thread client : clients) {
            client.join(Duration.ofSeconds(30).toMillis());
            assertThat(client.isAlive()).as(client.getName() + " finished").isFalse();
        }

        assertThat(accepted.get()).isGreaterThanOrEqualTo(1500);
        assertThat(afterClose.drained()).as("drained: %s", afterClose).isTrue();
        assertThat(afterClose.dropped()).as("dropped: %s", afterClose).isZero();
        assertThat(afterClose.sent()).isEqualTo(accepted.get());
        try (Connection connection = DriverManager.getConnection(url, "sa", "");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM events")) {
            rows.next();
            assertThat(rows.getLong(1)).as("rows after close (refused: %d)", refused.get()).isEqualTo(accepted.get());
        }
    }
}
