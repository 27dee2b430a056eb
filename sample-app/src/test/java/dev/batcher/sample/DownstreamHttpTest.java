package dev.batcher.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.sample.DownstreamApi.Stats;
import dev.batcher.sample.DownstreamComparison.Run;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The downstream API on a real port allows {@code sample.downstream.capacity-per-second} cost units per second and
 * answers 429 beyond. The same writes sent through cost batcher {@code downstream} (capacity = that limit) all get
 * written without a single 429; sent directly, one request per write as fast as possible, many are refused.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "demo.events=0",
        "spring.datasource.url=jdbc:h2:mem:events-downstream-${random.uuid}",
        "sample.downstream.capacity-per-second=" + DownstreamHttpTest.LIMIT})
class DownstreamHttpTest {

    /** Units per second the API allows, and the batcher's capacity. */
    static final int LIMIT = 100;

    /** 200 writes costing 1, 2, 3, 4 in turn: 500 units, 5 s worth of the limit. */
    private static final List<DownstreamWrite> WRITES = DownstreamComparison.writes(200, 4);

    @Autowired
    DownstreamComparison comparison;

    @Autowired
    DownstreamApi api;

    @LocalServerPort
    int port;

    @Test
    void throughTheBatcherEveryWriteIsDoneWithoutA429DirectlyManyAreRefused() throws Exception {
        assertThat(comparison.batcher().config().capacityLimiter().maxCapacity()).isEqualTo(LIMIT);

        // Through the batcher. Bound: zero 429s. The batcher's gate lets out at most one flush interval's worth
        // (0.1 s x 100 = 10 units) of saved-up balance plus one batch of at most capacity x flush interval (10 units)
        // of debt, then 100 units/s: by any time t after the start at most 20 + 100 t units have left it, and each
        // arrives at the API no earlier than it left. The API's bucket, full at the start, allows 100 + 100 t. HTTP
        // jitter only delays arrivals, so a 429 here means the pacing is wrong, not that the machine is slow.
        await().atMost(Duration.ofSeconds(5)).until(api::isFull);
        Stats before = api.stats();
        Run batched = comparison.throughBatcher(WRITES, Duration.ofSeconds(15));
        Stats after = api.stats();
        assertThat(batched.throttled()).as("429s received through the batcher").isZero();
        assertThat(after.throttled() - before.throttled()).as("429s the API answered to the batcher").isZero();
        assertThat(batched.done()).as("writes done through the batcher").isEqualTo(WRITES.size());
        assertThat(after.written() - before.written()).as("writes the API stored").isEqualTo(WRITES.size());
        // A batch costs at most capacity x flush interval = 10 units, about 4 writes: about 50 requests, not 200.
        assertThat(batched.requests()).isEqualTo(after.requests() - before.requests()).isLessThan(WRITES.size() / 2);
        // Paced, not just lucky: 500 units at 100 units/s, less the 20-unit head start, take at least 4.8 s.
        assertThat(Duration.ofNanos(batched.nanos())).isGreaterThan(Duration.ofMillis(4500));
        await().untilAsserted(() -> assertThat(comparison.batcher().neededCapacity()).isZero());

        // Directly, one request per write from 8 threads, on a full bucket again: the API allows 100 + 100 t units
        // for a run of t seconds. These 200 requests take well under 2 s even on a loaded 2-core machine (about
        // 0.3 s unloaded), so at least 500 - 300 = 200 units, 50 or more writes of at most 4 units, are refused;
        // 40 leaves room for a slower run.
        await().atMost(Duration.ofSeconds(5)).until(api::isFull);
        before = api.stats();
        Run direct = comparison.direct(WRITES, 8);
        after = api.stats();
        assertThat(direct.requests()).isEqualTo(WRITES.size()).isEqualTo(after.requests() - before.requests());
        assertThat(direct.throttled()).as("429s received directly, in %.2f s", direct.nanos() / 1e9)
                .isEqualTo(after.throttled() - before.throttled()).isGreaterThanOrEqualTo(40);
        assertThat(direct.done()).isEqualTo(WRITES.size() - direct.throttled())
                .isEqualTo(after.written() - before.written());
    }

    @Test
    void theApiAnswers429WithRetryAfterOnceItsCapacityIsUsedUp() {
        Http http = new Http(port);
        String write = "[{\"id\":\"big\",\"cost\":" + LIMIT + "}]";
        await().atMost(Duration.ofSeconds(5)).until(api::isFull);
        assertThat(http.post("/downstream/write", write).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = http.post("/downstream/write", write);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.body()).contains("allows " + LIMIT + " units per second");
        assertThat(http.post("/downstream/write", "[{\"id\":\"too-big\",\"cost\":" + (LIMIT + 1) + "}]")
                .statusCode()).isEqualTo(400);
    }
}
