package dev.batcher.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** The sample app over real HTTP on a random port, with the demo off and its own in-memory H2 database. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "demo.events=0",
        "spring.datasource.url=jdbc:h2:mem:events-http-${random.uuid}"})
class EventsHttpTest {

    @LocalServerPort
    int port;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(port);
    }

    @Test
    void eventsPostedConcurrentlyFromSeveralClientsAreAllStored() throws Exception {
        int threads = 4;
        int singlesPerThread = 100;
        int arraysPerThread = 50;
        int arraySize = 4;
        long before = http.count();

        ExecutorService clients = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> accepted = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            accepted.add(clients.submit(() -> {
                int events = 0;
                for (int i = 0; i < singlesPerThread; i++) {
                    HttpResponse<String> response = http.post("/events", Http.event("click", "t" + thread + "-" + i));
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                    events += Http.json(response).get("accepted").asInt();
                }
                for (int i = 0; i < arraysPerThread; i++) {
                    StringJoiner array = new StringJoiner(",", "[", "]");
                    for (int k = 0; k < arraySize; k++) {
                        array.add(Http.event("view", "t" + thread + "-a" + i + "-" + k));
                    }
                    HttpResponse<String> response = http.post("/events", array.toString());
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                    events += Http.json(response).get("accepted").asInt();
                }
                return events;
            }));
        }
        int total = 0;
        for (Future<Integer> f : accepted) {
            total += f.get();
        }
        clients.shutdown();

        int expected = threads * (singlesPerThread + arraysPerThread * arraySize);
        assertThat(total).isEqualTo(expected);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(http.count()).isEqualTo(before + expected));
    }

    @Test
    void malformedJsonGets400WithAProblemDetailSayingWhere() {
        HttpResponse<String> response = http.post("/events", "{\"type\": \"click\", ");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = Http.json(response);
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("title").asString()).isEqualTo("Invalid event");
        assertThat(problem.get("detail").asString()).startsWith("Malformed JSON at line 1, column");
    }

    @Test
    void eventWithoutTypeGets400NamingTheFieldAndIndex() {
        HttpResponse<String> single = http.post("/events", "{\"payload\":\"no type\"}");
        assertThat(single.statusCode()).isEqualTo(400);
        assertThat(Http.json(single).get("detail").asString()).startsWith("field 'type' is missing");

        HttpResponse<String> array = http.post("/events", "[" + Http.event("click", "ok") + ",{\"type\":\" \"}]");
        assertThat(array.statusCode()).isEqualTo(400);
        assertThat(Http.json(array).get("detail").asString()).isEqualTo("events[1]: field 'type' must not be blank");
    }

    @Test
    void bodiesThatAreNotEventsGet400() {
        assertThat(detail(http.post("/events", ""))).startsWith("Request body is empty");
        assertThat(detail(http.post("/events", "42"))).contains("got a number");
        assertThat(detail(http.post("/events", "[]"))).startsWith("The array is empty");
        assertThat(detail(http.post("/events", "[\"click\"]"))).startsWith("events[0]: expected a JSON object");
        assertThat(detail(http.post("/events", "{\"type\":1}"))).isEqualTo("field 'type' must be a string, got a number");
        assertThat(detail(http.post("/events", "{\"type\":\"a\",\"payload\":{}}")))
                .isEqualTo("field 'payload' must be a string (or left out), got an object");
    }

    @Test
    void aNinetyMegabyteBodyIsRefusedWith413BeforeItIsSent() {
        long declared = 90L * 1024 * 1024;
        AtomicLong sent = new AtomicLong();
        RawHttp.Response response = new RawHttp(port).postExpectingContinue("/events", declared, sent);

        assertThat(response.status()).as(response.body()).isEqualTo(413);
        assertThat(Http.JSON.readTree(response.body()).get("detail").asString()).isEqualTo("The request body is " + declared
                + " bytes (Content-Length); one request may carry at most 1048576 bytes "
                + "(sample.events.max-request-bytes), so split it into several requests");
        assertThat(sent.get()).as("bytes of the body the server made the client send").isZero();
    }

    @Test
    void aBodyThatIsNotDeclaredAsJsonGets415() {
        HttpResponse<String> form = http.post("/events", "type=click", "application/x-www-form-urlencoded");

        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(Http.json(form).get("detail").asString()).contains("application/x-www-form-urlencoded");
    }

    @Test
    void countReturnsTheStoredRowsAsJson() {
        JsonNode count = http.getJson("/events/count");
        assertThat(count.get("count").isNumber()).isTrue();
    }

    @Test
    void actuatorBatchersShowsDispatcherEventsWithDepthAndTotals() {
        long before = http.count();
        HttpResponse<String> accepted = http.post("/events", Http.event("click", "for the endpoint"));
        assertThat(accepted.statusCode()).isEqualTo(202);
        // >=: an event another test of this context posted may be stored meanwhile
        await().atMost(Duration.ofSeconds(10)).until(() -> http.count() >= before + 1);

        JsonNode list = http.getJson("/actuator/batchers").get("batchers");
        assertThat(list.isArray()).as("batchers array").isTrue();
        JsonNode events = null;
        for (JsonNode instance : list) {
            if ("events".equals(instance.get("name").asString())) {
                events = instance;
            }
        }
        assertThat(events).as("dispatcher 'events' in " + list).isNotNull();
        assertThat(events.get("kind").asString()).isEqualTo("dispatcher");
        assertThat(events.get("bufferedItems").isNumber()).isTrue();
        assertThat(events.get("inFlightItems").isNumber()).isTrue();
        JsonNode totals = events.get("totals");
        assertThat(totals.get("submitted").asLong()).isGreaterThanOrEqualTo(before + 1);
        assertThat(totals.get("sent").asLong()).isGreaterThanOrEqualTo(before + 1);
        assertThat(totals.get("dropped").asLong()).isZero();

        assertThat(http.getJson("/actuator/batchers/events").get("name").asString()).isEqualTo("events");
        assertThat(http.get("/actuator/batchers/no-such-dispatcher").statusCode()).isEqualTo(404);
    }

    @Test
    void prometheusEndpointShowsBatcherMeters() {
        assertThat(http.post("/events", Http.event("click", "for prometheus")).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> scrape = http.get("/actuator/prometheus");
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("batcher_").contains("name=\"events\"");
        });
    }

    @Test
    void healthIsUp() {
        assertThat(http.getJson("/actuator/health").get("status").asString()).isEqualTo("UP");
    }

    private static String detail(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        return Http.json(response).get("detail").asString();
    }
}
