package dev.batcher.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Who may call what: the {@code batchers} endpoint's write operation (flush, pause, resume) needs the operator from
 * {@code sample.operator.*} over HTTP basic; {@code POST /events} and every read stay open. The operator here has
 * another name and a bcrypt password, so the built-in default account must not work.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "demo.events=0",
        "spring.datasource.url=jdbc:h2:mem:events-security-${random.uuid}",
        "sample.operator.name=ops",
        // bcrypt of "night-shift-7"
        "sample.operator.password={bcrypt}$2a$10$mkEWQOBAZGhHMooErwFPAuNB9eS3AUW//uPf7NAdUDtEON0B3kHiW"})
class OperatorSecurityHttpTest {

    private static final String PAUSE = "{\"action\":\"pause\"}";

    private static final String RESUME = "{\"action\":\"resume\"}";

    @LocalServerPort
    int port;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(port);
    }

    @Test
    void anAnonymousPauseIsRefusedWith401AndTheDispatcherKeepsRunning() {
        HttpResponse<String> response = http.post("/actuator/batchers/events", PAUSE);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                challenge -> assertThat(challenge).startsWith("Basic"));
        assertThat(paused()).isFalse();
    }

    @Test
    void theOperatorPausesAndResumesDispatcherEvents() {
        HttpResponse<String> paused = http.postAs("ops", "night-shift-7", "/actuator/batchers/events", PAUSE);
        try {
            assertThat(paused.statusCode()).as(paused.body()).isIn(200, 204);
            assertThat(paused()).isTrue();
        } finally {
            HttpResponse<String> resumed = http.postAs("ops", "night-shift-7", "/actuator/batchers/events", RESUME);
            assertThat(resumed.statusCode()).as(resumed.body()).isIn(200, 204);
        }
        assertThat(paused()).isFalse();
    }

    @Test
    void aWrongPasswordOrTheDefaultAccountIsRefused() {
        assertThat(http.postAs("ops", "night-shift-8", "/actuator/batchers/events", PAUSE).statusCode())
                .isEqualTo(401);
        assertThat(http.postAs(OperatorProperties.DEFAULT_NAME, OperatorProperties.DEFAULT_PASSWORD,
                "/actuator/batchers/events", PAUSE).statusCode()).isEqualTo(401);
        assertThat(paused()).isFalse();
    }

    @Test
    void eventsAndEveryReadStayOpenToAnonymousCallers() {
        assertThat(http.post("/events", Http.event("click", "anonymous")).statusCode()).isEqualTo(202);
        assertThat(http.post("/events", "[" + Http.event("a", "1") + "," + Http.event("b", "2") + "]").statusCode())
                .isEqualTo(202);
        assertThat(http.get("/events/count").statusCode()).isEqualTo(200);
        assertThat(http.get("/actuator/batchers").statusCode()).isEqualTo(200);
        assertThat(http.get("/actuator/batchers/events").statusCode()).isEqualTo(200);
        assertThat(http.get("/actuator/health").statusCode()).isEqualTo(200);
        assertThat(http.get("/actuator/prometheus").statusCode()).isEqualTo(200);
    }

    private boolean paused() {
        return http.getJson("/actuator/batchers/events").get("paused").asBoolean();
    }
}
