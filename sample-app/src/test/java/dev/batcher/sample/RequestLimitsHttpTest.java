package dev.batcher.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /events} refuses a body over {@code sample.events.max-request-bytes} with {@code 413} before reading it:
 * by its {@code Content-Length} without reading a byte, and a chunked body as soon as it passes the limit; and an
 * array of more than {@code sample.events.max-per-request} events. Limits are small here (64 KB, 100 events).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "demo.events=0",
        "spring.datasource.url=jdbc:h2:mem:events-limits-${random.uuid}",
        "sample.events.max-request-bytes=64KB",
        "sample.events.max-per-request=100"})
class RequestLimitsHttpTest {

    private static final int LIMIT = 64 * 1024;

    @LocalServerPort
    int port;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(port);
    }

    @Test
    void aContentLengthOverTheLimitGets413BeforeTheClientSendsTheBody() {
        long declared = 90L * 1024 * 1024;
        AtomicLong sent = new AtomicLong();

        // As curl does for large bodies: ask with Expect: 100-continue, send the body only once the server reads it.
        RawHttp.Response response = new RawHttp(port).postExpectingContinue("/events", declared, sent);

        assertTooLarge(response.status(), response.headers(), response.body(),
                "The request body is " + declared + " bytes (Content-Length)");
        assertThat(sent.get()).as("bytes of the body the server made the client send").isZero();
    }

    @Test
    void aContentLengthOverTheLimitIsRefusedByItsHeaderWhenTheClientSendsAtOnce() {
        byte[] body = new byte[LIMIT + 1];
        Arrays.fill(body, (byte) ' ');

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(http.uri("/events"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofByteArray(body))
                .build());

        assertTooLarge(response, "The request body is " + (LIMIT + 1) + " bytes (Content-Length)");
    }

    @Test
    void aChunkedBodyOverTheLimitGets413() {
        RawHttp.Response response = new RawHttp(port).postChunked("/events", 1024 * 1024);

        assertTooLarge(response.status(), response.headers(), response.body(),
                "The request body is more than " + LIMIT + " bytes");
    }

    @Test
    void aChunkedBodyWithinTheLimitIsAccepted() {
        long before = http.count();
        String array = array(100);
        assertThat(array.length()).isLessThan(LIMIT);

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(http.uri("/events"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(array.getBytes(StandardCharsets.UTF_8))))
                .build());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(Http.json(response).get("accepted").asInt()).isEqualTo(100);
        // >=: an event another test of this context posted may be stored meanwhile
        await().atMost(Duration.ofSeconds(20)).until(() -> http.count() >= before + 100);
    }

    @Test
    void aBodyOfExactlyTheLimitIsAccepted() {
        String event = Http.event("click", "padded");
        String padded = event + " ".repeat(LIMIT - event.length());

        HttpResponse<String> response = http.post("/events", padded);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    @Test
    void moreEventsThanTheLimitPerRequestGet413NamingTheProperty() {
        HttpResponse<String> response = http.post("/events", array(101));

        assertTooLarge(response, "The array holds 101 events; one request may carry at most 100 "
                + "(sample.events.max-per-request)");
    }

    private static void assertTooLarge(HttpResponse<String> response, String detailStart) {
        assertTooLarge(response.statusCode(), "Content-Type: " + response.headers().firstValue("Content-Type")
                .orElse(""), response.body(), detailStart);
    }

    private static void assertTooLarge(int status, String headers, String body, String detailStart) {
        assertThat(status).as(body).isEqualTo(413);
        assertThat(headers).contains("Content-Type: application/problem+json");
        JsonNode problem = Http.JSON.readTree(body);
        assertThat(problem.get("title").asString()).isEqualTo("Request too large");
        assertThat(problem.get("detail").asString()).startsWith(detailStart);
    }

    private static String array(int events) {
        StringJoiner array = new StringJoiner(",", "[", "]");
        for (int i = 0; i < events; i++) {
            array.add(Http.event("view", "e" + i));
        }
        return array.toString();
    }
}
