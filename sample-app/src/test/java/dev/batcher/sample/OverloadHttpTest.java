package dev.batcher.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.dispatch.Dispatcher;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;

/** {@code 503} when dispatcher {@code events} refuses: a full buffer with {@code reject}, then a closed dispatcher. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "demo.events=0",
        "spring.datasource.url=jdbc:h2:mem:events-overload-${random.uuid}",
        "batcher.dispatchers.events.max-batch-items=5",
        "batcher.dispatchers.events.buffer.max-items=5",
        "batcher.dispatchers.events.buffer.full-behavior=reject"})
@DirtiesContext
class OverloadHttpTest {

    @LocalServerPort
    int port;

    @Autowired
    @Qualifier("events")
    Dispatcher<Event> dispatcher;

    @Test
    void aFullBufferGets503WithRetryAfterAndAClosedDispatcherToo() {
        Http http = new Http(port);
        dispatcher.pause();
        for (int i = 0; i < 5; i++) {
            assertThat(http.post("/events", Http.event("click", "fills " + i)).statusCode()).isEqualTo(202);
        }

        HttpResponse<String> full = http.post("/events", "[" + Http.event("click", "a") + "," + Http.event("click", "b")
                + "]");
        assertThat(full.statusCode()).isEqualTo(503);
        assertThat(full.headers().firstValue("Retry-After")).hasValue("1");
        JsonNode problem = Http.json(full);
        assertThat(problem.get("detail").asString()).startsWith("The event buffer is full, try again shortly");
        assertThat(problem.get("accepted").asInt()).isZero();
        assertThat(problem.get("rejected").asInt()).isEqualTo(2);

        dispatcher.resume();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(http.count()).isEqualTo(5));

        dispatcher.close(Duration.ofSeconds(10));
        HttpResponse<String> closed = http.post("/events", Http.event("click", "too late"));
        assertThat(closed.statusCode()).isEqualTo(503);
        assertThat(Http.json(closed).get("detail").asString()).contains("shutting down");
    }
}
