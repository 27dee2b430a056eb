package dev.batcher.autoconfigure;

import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherStats;
import dev.batcher.DropReason;
import dev.batcher.spring.BatcherRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * Actuator endpoint {@code batchers}: {@code GET /actuator/batchers} lists every instance,
 * {@code GET /actuator/batchers/{name}} shows one (404 when unknown), and
 * {@code POST /actuator/batchers/{name}} with {@code {"action": "flush" | "pause" | "resume"}} acts on a known one
 * (over HTTP through {@link BatchersEndpointWebExtension}: 404 when unknown, 409 for a pause while it closes).
 *
 * <p>Its default access is read-only, as pausing stops every send of an instance: the write operation needs
 * {@code management.endpoint.batchers.access=unrestricted} (and, over HTTP, should be secured).
 */
@Endpoint(id = "batchers", defaultAccess = Access.READ_ONLY)
public class BatchersEndpoint {

    private final BatcherRegistry registry;

    /**
     * Creates the endpoint.
     *
     * @param registry the instances to show
     */
    public BatchersEndpoint(BatcherRegistry registry) {
        this.registry = registry;
    }

    /**
     * Lists every instance.
     *
     * @return the instances, in registration order
     */
    @ReadOperation
    public BatchersDescriptor batchers() {
        return new BatchersDescriptor(this.registry.dispatchers().stream().map(BatchersEndpoint::describe).toList());
    }

    /**
     * Shows one instance.
     *
     * @param name the instance name
     * @return the instance, or {@code null} (404) when unknown
     */
    @ReadOperation
    public BatcherDescriptor batcher(@Selector String name) {
        return this.registry.find(name).map(BatchersEndpoint::describe).orElse(null);
    }

    /**
     * Flushes, pauses or resumes one instance. The flush does not wait for the batches it cuts to be sent.
     *
     * @param name the instance name
     * @param action {@code flush} (send partly filled batches now), {@code pause} (stop starting sends; items keep
     *     being buffered) or {@code resume}
     * @return the instance after the action, or {@code null} when unknown
     * @throws InvalidEndpointRequestException for another action
     * @throws IllegalStateException for a pause of an instance that is closing
     */
    @WriteOperation
    public BatcherDescriptor control(@Selector String name, String action) {
        Dispatcher<?> dispatcher = this.registry.find(name).orElse(null);
        if (dispatcher == null) {
            return null;
        }
        switch ((action != null) ? action.toLowerCase(Locale.ROOT) : "") {
            case "flush" -> dispatcher.flush();
            case "pause" -> pause(dispatcher);
            case "resume" -> dispatcher.resume();
            default -> throw new InvalidEndpointRequestException("Unknown action '" + action
                    + "'; use flush, pause or resume", "Unknown action; use flush, pause or resume");
        }
        return describe(dispatcher);
    }

    /** Pauses unless the dispatcher is closing: a paused dispatcher would not drain. */
    private static void pause(Dispatcher<?> dispatcher) {
        if (dispatcher.isClosed()) {
            throw new IllegalStateException(pauseRefused(dispatcher.name()));
        }
        dispatcher.pause();
    }

    static String pauseRefused(String name) {
        return "Dispatcher '" + name + "' is closing (the application is shutting down); pause refused so that it "
                + "drains";
    }

    static BatcherDescriptor describe(Dispatcher<?> dispatcher) {
        DispatcherStats stats = dispatcher.stats();
        Map<String, Long> droppedByReason = new LinkedHashMap<>();
        for (DropReason reason : DropReason.values()) {
            long dropped = stats.dropped(reason);
            if (dropped > 0) {
                droppedByReason.put(reason.tagValue(), dropped);
            }
        }
        return new BatcherDescriptor(dispatcher.name(), DispatcherMeterBinder.KIND, stats.bufferedItems(),
                stats.bufferedBytes(), stats.inFlightBatches(), stats.inFlightItems(), stats.paused(), stats.closed(),
                new TotalsDescriptor(stats.submitted(), stats.sent(), stats.dropped(), Map.copyOf(droppedByReason),
                        stats.retried(), stats.sentBatches(), stats.failedAttempts(), stats.consecutiveFailures()),
                new LastBatchDescriptor(stats.lastBatchItems(), stats.lastSentAt()), null, null);
    }

    /**
     * Every instance.
     *
     * @param batchers the instances, in registration order
     */
    public record BatchersDescriptor(List<BatcherDescriptor> batchers) {
    }

    /**
     * One instance.
     *
     * @param name the instance name
     * @param kind {@code dispatcher}
     * @param bufferedItems items waiting in the buffer, including batches waiting for a retry
     * @param bufferedBytes bytes of those items (0 without an item sizer)
     * @param inFlightBatches batches being sent
     * @param inFlightItems items in those batches
     * @param paused whether sending is paused
     * @param closed whether the instance stopped accepting items
     * @param totals counts since start
     * @param lastBatch the last batch sent successfully
     * @param neededCapacity capacity the instance needs (batchers with shared capacity), {@code null} for dispatchers
     * @param grantedCapacity capacity granted to it, {@code null} for dispatchers
     */
    public record BatcherDescriptor(String name, String kind, long bufferedItems, long bufferedBytes,
            int inFlightBatches, long inFlightItems, boolean paused, boolean closed, TotalsDescriptor totals,
            LastBatchDescriptor lastBatch, Long neededCapacity, Long grantedCapacity) {
    }

    /**
     * Counts since start; {@code submitted = sent + dropped + bufferedItems + inFlightItems}.
     *
     * @param submitted items submitted
     * @param sent items sent successfully
     * @param dropped items dropped, for any reason
     * @param droppedByReason {@code dropped} by reason ({@code buffer-full}, {@code retries-exhausted}, ...)
     * @param retried items in batches scheduled for another attempt
     * @param sentBatches batches sent successfully
     * @param failedAttempts send attempts that failed or timed out
     * @param consecutiveFailures failed attempts since the last successful send
     */
    public record TotalsDescriptor(long submitted, long sent, long dropped, Map<String, Long> droppedByReason,
            long retried, long sentBatches, long failedAttempts, long consecutiveFailures) {
    }

    /**
     * The last batch sent successfully.
     *
     * @param items its size, 0 if none was sent
     * @param sentAt when its send finished, {@code null} if none was sent
     */
    public record LastBatchDescriptor(int items, Instant sentAt) {
    }
}
