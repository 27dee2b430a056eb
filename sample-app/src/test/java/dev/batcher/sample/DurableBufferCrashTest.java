package dev.batcher.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's measurement: the sample app in a JVM of its own with a file H2 database and
 * {@code --batcher.dispatchers.events.buffer.durable.directory}, two clients posting 100 events per request,
 * {@code kill -9} under load after about 4 s, a restart on the same directory and database. Every event answered
 * {@code 202 Accepted} (or counted as accepted in a {@code 503}) is stored: 0 lost. Events of the batch being inserted
 * at the kill are stored again by the replay (at-least-once): the duplicates are counted and printed.
 */
class DurableBufferCrashTest {

    private static final int EVENTS_PER_REQUEST = 100;

    @TempDir
    Path dir;

    @Test
    void aKilledAppStoresEveryAcceptedEventAfterARestartOnTheSameDurableDirectory() throws Exception {
        Path durable = dir.resolve("durable");
        // WRITE_DELAY=0: H2 writes each commit to the file at once, so that a killed JVM loses no committed row of
        // the database itself (its default delay would lose the last half second of commits to a kill -9).
        String url = "jdbc:h2:file:" + dir.resolve("events").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
        int port = freePort();
        Process first = start(url, durable, port, dir.resolve("first.log"));
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        try {
            Http http = new Http(port);
            awaitUp(http, first, dir.resolve("first.log"));
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                int client = c;
                Thread thread = new Thread(() -> post(http, client, stop, accepted), "client-" + c);
                thread.start();
                clients.add(thread);
            }
            long killAt = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> System.nanoTime() >= killAt && !accepted.isEmpty());
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            stop.set(true);
            for (Thread client : clients) {
                client.join(Duration.ofSeconds(35).toMillis());
            }
        }
        finally {
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(accepted).as("events accepted before the kill").isNotEmpty();

        Process second = start(url, durable, port, dir.resolve("second.log"));
        try {
            Http http = new Http(port);
            awaitUp(http, second, dir.resolve("second.log"));
            AtomicLong previous = new AtomicLong(-1);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                long count = Http.json(http.get("/events/count")).get("count").asLong();
                return count >= accepted.size() && count == previous.getAndSet(count);
            });
        }
        finally {
            second.destroy();
            if (!second.waitFor(30, TimeUnit.SECONDS)) {
                second.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }

        List<String> stored = storedPayloads(url);
        Set<String> distinct = new HashSet<>(stored);
        Set<String> lost = new HashSet<>(accepted);
        lost.removeAll(distinct);
        long duplicates = stored.size() - distinct.size();
        long storedNotAnswered = distinct.stream().filter(payload -> !accepted.contains(payload)).count();
        System.out.printf("Durable buffer crash test: accepted=%d stored=%d distinct=%d duplicates=%d lost=%d "
                + "(stored but not answered 202 before the kill: %d)%n", accepted.size(), stored.size(),
                distinct.size(), duplicates, lost.size(), storedNotAnswered);
        assertThat(lost).as("accepted events not stored").isEmpty();
        assertThat(stored.size()).isGreaterThanOrEqualTo(accepted.size());
    }

    /** Posts arrays of 100 events with unique payloads until stopped or the app is gone; records what was accepted. */
    private static void post(Http http, int client, AtomicBoolean stop, Set<String> accepted) {
        for (int request = 0; !stop.get(); request++) {
            List<String> payloads = new ArrayList<>(EVENTS_PER_REQUEST);
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
                String payload = client + "-" + request + "-" + i;
                payloads.add(payload);
                body.append((i > 0) ? "," : "").append(Http.event("crash", payload));
            }
            body.append(']');
            try {
                HttpResponse<String> response = http.tryPost("/events", body.toString());
                if (response.statusCode() == 202 || response.statusCode() == 503) {
                    int n = Http.json(response).get("accepted").asInt();
                    accepted.addAll(payloads.subList(0, n));
                }
            }
            catch (IOException ex) {
                return;
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static Process start(String url, Path durable, int port, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = List.of(java, "-Xmx512m", "-cp", classpath, SampleApplication.class.getName(),
                "--server.port=" + port, "--demo.events=0", "--demo.downstream.operations=0",
                "--spring.datasource.url=" + url,
                "--batcher.dispatchers.events.buffer.durable.directory=" + durable,
                "--logging.level.dev.batcher=WARN");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitUp(Http http, Process process, Path log) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(process.isAlive()).as("the app is running; its output:%n%s", read(log)).isTrue();
            try {
                assertThat(http.get("/events/count").statusCode()).isEqualTo(200);
            }
            catch (RuntimeException ex) {
                throw new AssertionError("not up yet: " + ex);
            }
        });
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static List<String> storedPayloads(String url) throws Exception {
        List<String> payloads = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(url, "sa", "");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT payload FROM events WHERE type = 'crash'")) {
            while (rows.next()) {
                payloads.add(rows.getString(1));
            }
        }
        return payloads;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
