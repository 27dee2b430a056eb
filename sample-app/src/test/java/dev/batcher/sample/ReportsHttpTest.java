package dev.batcher.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** The report job on the task queue (local mode): POST /reports runs it in the background, GET reads its row. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "demo.events=0",
        "spring.datasource.url=jdbc:h2:mem:reports-http-${random.uuid}"})
class ReportsHttpTest {

    @LocalServerPort
    int port;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(port);
    }

    @Test
    void aReportJobCountsTheStoredEventsOfItsWindowAndStoresItsSummary() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(http.post("/events", Http.event(i == 0 ? "click" : "view", "r" + i)).statusCode())
                    .isEqualTo(202);
        }
        await().until(() -> http.count() >= 3);

        HttpResponse<String> started = http.post("/reports?minutes=5", "");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String id = Http.json(started).get("id").asString();

        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/reports/" + id).statusCode() == 200);
        JsonNode report = Http.json(http.get("/reports/" + id));
        assertThat(report.get("EVENTS").asLong()).isEqualTo(3);
        assertThat(report.get("TYPES").asInt()).isEqualTo(2);
        assertThat(http.get("/reports/unknown").statusCode()).isEqualTo(404);
    }
}
