package dev.batcher.autoconfigure;

import dev.batcher.spring.BatcherRegistry;
import java.time.Instant;
import java.util.List;
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
 * <p>Instances are dispatchers ({@code kind: dispatcher}) and cost batchers ({@code kind: batcher}); a batcher also
 * shows its needed and granted capacity, pace, partitions of shared capacity held, watchers and recent events. A
 * batcher's pause is go-batcher's: it holds processing for {@code pause-time} and resumes by itself; {@code resume}
 * ends it early.
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
     * @return the instances, dispatchers first, each kind in registration order
     */
    @ReadOperation
    public BatchersDescriptor batchers() {
        return new BatchersDescriptor(EngineView.all(this.registry).stream().map(EngineView::describe).toList());
    }

    /**
     * Shows one instance.
     *
     * @param name the instance name
     * @return the instance, or {@code null} (404) when unknown
     */
    @ReadOperation
    public BatcherDescriptor batcher(@Selector String name) {
        return EngineView.find(this.registry, name).map(EngineView::describe).orElse(null);
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
        EngineView found = EngineView.find(this.registry, name).orElse(null);
        if (found == null) {
            return null;
        }
        found.control(action);
        return found.describe();
    }

    /** Whether an instance of this name exists. */
    boolean exists(String name) {
        return EngineView.find(this.registry, name).isPresent();
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
     * @param kind {@code dispatcher}, {@code batcher}, {@code processor}, {@code coordinator} or {@code tasks}
     * @param bufferedItems items (a batcher's operations) waiting in the buffer, including batches waiting for a
     *     retry
     * @param bufferedBytes bytes of those items (0 without an item sizer)
     * @param inFlightBatches batches being sent
     * @param inFlightItems items in those batches
     * @param paused whether sending is paused
     * @param closed whether the instance stopped accepting items
     * @param totals counts since start
     * @param lastBatch the last batch sent successfully
     * @param neededCapacity capacity a batcher needs: the cost of every operation enqueued and not yet done;
     *     {@code null} for dispatchers
     * @param grantedCapacity capacity granted to a batcher, in cost units per second (0 without a capacity);
     *     {@code null} for dispatchers
     * @param pace cost units per second a batcher's batches go at now (lowered after throttling); {@code null} for
     *     dispatchers
     * @param partitionsHeld partitions of shared capacity a batcher holds (0 without shared capacity); {@code null}
     *     for dispatchers
     * @param watchers a batcher's watcher names; {@code null} for dispatchers
     * @param recentEvents a batcher's last events, oldest first (at most 20; {@code request} and {@code batch} are
     *     left out); {@code null} for dispatchers
     * @param details what only this kind has (a task queue's dead letters, a coordinator's contributors per commit,
     *     ..., a dispatcher's durable buffer under {@code durable}: directory, fsync, bytesOnDisk, records, segments,
     *     replayedItems, fsyncs, fsyncMeanMillis, fsyncMaxMillis, truncatedTails); {@code null} for batchers and for
     *     dispatchers with a buffer in memory only
     */
    public record BatcherDescriptor(String name, String kind, long bufferedItems, long bufferedBytes,
            int inFlightBatches, long inFlightItems, boolean paused, boolean closed, TotalsDescriptor totals,
            LastBatchDescriptor lastBatch, Long neededCapacity, Long grantedCapacity, Double pace,
            Integer partitionsHeld, List<String> watchers, List<EventDescriptor> recentEvents,
            Map<String, Object> details) {
    }

    /**
     * One recent event of a batcher, with go-batcher's names.
     *
     * @param name {@code pause}, {@code resume}, {@code throttle}, {@code audit-pass}, {@code audit-fail},
     *     {@code audit-skip}, {@code flush-start}, {@code flush-done}, {@code shutdown}; from the capacity limiter
     *     {@code capacity}, {@code allocated}, {@code released}, {@code failed}, {@code target}, {@code error}
     * @param value the number it is about (pause time in ms, capacity, partition index, target...)
     * @param message its detail, or {@code null}
     * @param error the failure of an {@code error} event, or {@code null}
     * @param at when it happened
     */
    public record EventDescriptor(String name, long value, String message, String error, Instant at) {
    }

    /**
     * Counts since start; {@code submitted = sent + dropped + bufferedItems + inFlightItems}. For a batcher:
     * submitted = operations enqueued, sent = processed, sentBatches = batches processed, consecutiveFailures =
     * watcher batches failed in a row (throttling excepted).
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
