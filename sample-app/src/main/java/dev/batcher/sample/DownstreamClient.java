package dev.batcher.sample;

import dev.batcher.cost.ThrottledException;
import dev.batcher.spring.BatchWatcher;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * Calls the downstream API ({@link DownstreamApi}) over HTTP on the app's own port, and is the watcher of cost
 * batcher {@code downstream}: each batch the batcher hands over becomes one {@code POST /downstream/write}. On a 429
 * it throws {@link ThrottledException}, so the batcher pauses for its {@code pause-time}, lowers its pace and retries
 * the batch.
 */
@Component
public class DownstreamClient {

    private final Environment environment;

    /**
     * Blocking HTTP/1.1 with keep-alive on the calling thread ({@code HttpURLConnection}): for many small requests to
     * localhost it is the quickest of the built-in clients, so the direct calls really go as fast as they can.
     */
    private final RestClient rest = RestClient.builder().requestFactory(requestFactory()).build();

    private final LongAdder batchRequests = new LongAdder();

    private final LongAdder batchThrottled = new LongAdder();

    private final LongAdder batchWritten = new LongAdder();

    /**
     * Creates the client.
     *
     * @param environment for the port the app serves on ({@code local.server.port})
     */
    public DownstreamClient(Environment environment) {
        this.environment = environment;
    }

    /**
     * The watcher of cost batcher {@code downstream}: sends the batch in one request.
     *
     * @param writes the payloads of the batch's operations
     * @throws ThrottledException when the API answers 429
     */
    @BatchWatcher(batcher = "downstream", maxBatchSize = 100, maxAttempts = 10)
    public void writes(List<DownstreamWrite> writes) {
        batchRequests.increment();
        if (!send(writes)) {
            batchThrottled.increment();
            throw new ThrottledException("POST /downstream/write answered 429 for a batch of " + writes.size());
        }
        batchWritten.add(writes.size());
    }

    /**
     * Sends writes in one {@code POST /downstream/write}.
     *
     * @param writes the writes
     * @return {@code true} when the API stored them, {@code false} when it answered 429
     * @throws IllegalStateException for any other answer
     */
    public boolean send(List<DownstreamWrite> writes) {
        return rest.post().uri(url()).contentType(MediaType.APPLICATION_JSON).body(writes)
                .exchange((request, response) -> {
                    if (response.getStatusCode().value() == HttpStatus.TOO_MANY_REQUESTS.value()) {
                        return false;
                    }
                    if (!response.getStatusCode().is2xxSuccessful()) {
                        throw new IllegalStateException("POST /downstream/write answered " + response.getStatusCode()
                                + ": " + new String(response.getBody().readAllBytes()));
                    }
                    return true;
                });
    }

    /**
     * What the watcher did since startup.
     *
     * @return its requests, the 429s among them and the writes stored
     */
    public Counts watcherCounts() {
        return new Counts(batchRequests.sum(), batchThrottled.sum(), batchWritten.sum());
    }

    private static SimpleClientHttpRequestFactory requestFactory() {
        SimpleClientHttpRequestFactory factory = new SimpleClientHttpRequestFactory();
        factory.setConnectTimeout(Duration.ofSeconds(5));
        factory.setReadTimeout(Duration.ofSeconds(30));
        return factory;
    }

    private String url() {
        String port = environment.getProperty("local.server.port");
        if (port == null) {
            throw new IllegalStateException("The downstream API is called over HTTP on the app's own port, but "
                    + "local.server.port is not set: run the app with its web server (not with web-application-type "
                    + "none)");
        }
        return "http://localhost:" + port + "/downstream/write";
    }

    /**
     * Request counts.
     *
     * @param requests requests made
     * @param throttled 429s received
     * @param written writes stored
     */
    public record Counts(long requests, long throttled, long written) {
    }
}
