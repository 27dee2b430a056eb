package dev.batcher.cost;

import dev.batcher.DropReason;
import java.time.Instant;
import java.util.Map;

/**
 * A snapshot of a batcher's state. The operation counts are read at one instant (operations still in the lock-free
 * intake count as enqueued and buffered), so {@code enqueued = processed + dropped + operationsInBuffer +
 * inFlightOperations} holds in every snapshot (see {@link #isBalanced()}); the capacities are read just after.
 *
 * @param name the batcher name
 * @param started whether {@link Batcher#start()} was called
 * @param paused whether a pause is in effect ({@link Batcher#pause()} or throttling)
 * @param neededCapacity the capacity the batcher needs: the cost of every operation enqueued and not yet done
 *     (go-batcher's NeedsCapacity)
 * @param grantedCapacity the capacity the limiter grants now, per second; 0 without a limiter
 * @param pace the cost per second batches go at now: the granted capacity lowered after throttling; 0 without a
 *     limiter (not paced)
 * @param operationsInBuffer operations waiting: not yet handed to a watcher, or waiting for a retry after throttling
 *     (go-batcher's OperationsInBuffer)
 * @param inFlightBatches batches handed to their watchers and not yet done
 * @param inFlightOperations operations in them
 * @param enqueued operations accepted or refused by a full buffer (those refused also count as dropped)
 * @param processed operations whose watcher returned normally
 * @param dropped operations dropped: watcher failed or passed its max operation time ({@code not-retryable}),
 *     buffer full, shutdown...
 * @param droppedByReason {@code dropped} by reason; reasons with no drops are absent
 * @param retried operations handed to their watcher again after it reported throttling (twice counts twice)
 * @param processedBatches batches whose watcher returned normally
 * @param failedAttempts batches whose watcher threw or passed its max operation time
 * @param timedOutBatches batches that passed their max operation time
 * @param throttles times the batcher was told the datastore throttles
 * @param closed whether it stopped accepting operations
 * @param drained whether it is closed with nothing left
 * @param lastBatchSize the size of the last batch processed, 0 if none
 * @param lastProcessedAt when the last batch was processed, {@code null} if none
 */
public record BatcherStats(
        String name,
        boolean started,
        boolean paused,
        long neededCapacity,
        long grantedCapacity,
        double pace,
        long operationsInBuffer,
        int inFlightBatches,
        long inFlightOperations,
        long enqueued,
        long processed,
        long dropped,
        Map<DropReason, Long> droppedByReason,
        long retried,
        long processedBatches,
        long failedAttempts,
        long timedOutBatches,
        long throttles,
        boolean closed,
        boolean drained,
        int lastBatchSize,
        Instant lastProcessedAt) {

    /** Operations dropped with one reason. */
    public long dropped(DropReason reason) {
        return droppedByReason.getOrDefault(reason, 0L);
    }

    /**
     * Whether {@code enqueued = processed + dropped + operationsInBuffer + inFlightOperations} (nothing lost, nothing
     * doubled) and, once drained, nothing is left buffered or in flight.
     */
    public boolean isBalanced() {
        return enqueued == processed + dropped + operationsInBuffer + inFlightOperations
                && !(drained && (operationsInBuffer != 0 || inFlightOperations != 0));
    }
}
