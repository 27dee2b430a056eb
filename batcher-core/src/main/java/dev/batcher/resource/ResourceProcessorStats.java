package dev.batcher.resource;

import java.time.Instant;

/**
 * A consistent snapshot of a {@link ResourceProcessor}'s counters. The operation counts keep the kernel's accounting:
 * {@code submitted = completed + failed + buffered + inFlight} in every snapshot ({@link #isBalanced()}), and after
 * the drain nothing is buffered or in flight.
 *
 * @param name the processor's name
 * @param submitted operations accepted or refused by {@code run}
 * @param completed operations whose batch was saved: each caller got its own value or its operation's exception, or
 *     was cancelled (see {@code operationErrors} and {@code cancelled})
 * @param failed operations whose batch failed (load, save, deadline) or that were refused (buffer full) or dropped
 *     at a stop
 * @param buffered operations waiting for their batch to be cut or for a free thread
 * @param inFlight operations in batches being processed
 * @param inFlightBatches batches being processed
 * @param savedBatches batches saved
 * @param failedBatches batches that failed in load or save, or ran past their deadline
 * @param operationErrors operations that threw (their batch went on); counted when they ran, so they may show up
 *     before their batch is counted as completed
 * @param cancelled operations skipped because they were cancelled before they ran; counted like
 *     {@code operationErrors}
 * @param abandonedBatches batches given up at their deadline whose thread is still inside the store
 * @param lostMetrics batch metrics dropped because the listeners were too slow
 * @param lastBatchOperations operations of the last batch saved
 * @param lastSavedAt when the last batch was saved, {@code null} if none
 * @param closed whether it stopped accepting operations
 * @param drained whether it is closed with nothing left
 */
public record ResourceProcessorStats(
        String name,
        long submitted,
        long completed,
        long failed,
        long buffered,
        long inFlight,
        int inFlightBatches,
        long savedBatches,
        long failedBatches,
        long operationErrors,
        long cancelled,
        int abandonedBatches,
        long lostMetrics,
        int lastBatchOperations,
        Instant lastSavedAt,
        boolean closed,
        boolean drained) {

    /** Whether {@code submitted = completed + failed + buffered + inFlight}. */
    public boolean isBalanced() {
        return submitted == completed + failed + buffered + inFlight;
    }
}
