package dev.batcher.sample;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A downstream API inside the app, standing in for a datastore with a capacity per second (such as Cosmos DB's
 * request units): {@code POST /downstream/write} takes a JSON array of {@link DownstreamWrite}s and charges the sum
 * of their costs to a Bucket4j bucket of {@code sample.downstream.capacity-per-second} units, refilled at that many
 * units per second. When the bucket lacks the units it answers {@code 429 Too Many Requests} with a
 * {@code Retry-After} header and writes nothing. {@code GET /downstream/stats} shows what it received.
 */
@RestController
@RequestMapping("/downstream")
public class DownstreamApi {

    private final long capacityPerSecond;

    private final Bucket bucket;

    private final LongAdder requests = new LongAdder();

    private final LongAdder throttled = new LongAdder();

    private final LongAdder written = new LongAdder();

    private final LongAdder writtenCost = new LongAdder();

    /**
     * Creates the API with a full bucket.
     *
     * @param properties the {@code sample.downstream.*} settings
     */
    public DownstreamApi(DownstreamProperties properties) {
        this.capacityPerSecond = properties.capacityPerSecond();
        this.bucket = Bucket.builder()
                .addLimit(limit -> limit.capacity(capacityPerSecond).refillGreedy(capacityPerSecond, Duration.ofSeconds(1)))
                .build();
    }

    /**
     * Writes a batch if the bucket holds its cost.
     *
     * @param writes the writes, each with a cost of at least 1
     * @return 200 with what was written; 429 when the API's capacity per second is used up; 400 for an empty batch,
     *     a cost below 1, or a batch that costs more than the capacity per second (it could never pass)
     */
    @PostMapping(path = "/write", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<?> write(@RequestBody List<DownstreamWrite> writes) {
        requests.increment();
        if (writes == null || writes.isEmpty()) {
            return problem(HttpStatus.BAD_REQUEST, "Send a JSON array of at least one write");
        }
        long cost = 0;
        for (DownstreamWrite write : writes) {
            if (write == null || write.cost() < 1) {
                return problem(HttpStatus.BAD_REQUEST, "Every write needs a cost of at least 1, got " + write);
            }
            cost += write.cost();
        }
        if (cost > capacityPerSecond) {
            return problem(HttpStatus.BAD_REQUEST, "The batch costs " + cost + " units, more than the "
                    + capacityPerSecond + " units per second this API allows (sample.downstream.capacity-per-second)"
                    + "; send smaller batches");
        }
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(cost);
        if (!probe.isConsumed()) {
            throttled.increment();
            long retryAfter = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999L));
            ProblemDetail detail = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, "The batch costs "
                    + cost + " units; this API allows " + capacityPerSecond + " units per second and has "
                    + probe.getRemainingTokens() + " left now");
            return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                    .header(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter)).body(detail);
        }
        written.add(writes.size());
        writtenCost.add(cost);
        return ResponseEntity.ok(new Written(writes.size(), cost));
    }

    /**
     * What the API received since startup.
     *
     * @return the counters
     */
    @GetMapping("/stats")
    public Stats stats() {
        return new Stats(capacityPerSecond, requests.sum(), throttled.sum(), written.sum(), writtenCost.sum());
    }

    /** Whether the bucket is full again: a whole second's worth of units is available. */
    public boolean isFull() {
        return bucket.getAvailableTokens() >= capacityPerSecond;
    }

    /** The cost units per second the API allows. */
    public long capacityPerSecond() {
        return capacityPerSecond;
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String detail) {
        return ResponseEntity.status(status).body(ProblemDetail.forStatusAndDetail(status, detail));
    }

    /**
     * The answer to an accepted batch.
     *
     * @param written the writes stored
     * @param cost the units they used
     */
    public record Written(int written, long cost) {
    }

    /**
     * The API's counters since startup.
     *
     * @param capacityPerSecond the units per second it allows
     * @param requests the {@code POST /downstream/write} calls it received
     * @param throttled how many of them it answered with 429
     * @param written the writes it stored
     * @param writtenCost the units those used
     */
    public record Stats(long capacityPerSecond, long requests, long throttled, long written, long writtenCost) {
    }
}
