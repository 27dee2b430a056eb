package dev.batcher.kernel;

import dev.batcher.DropReason;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A consistent snapshot of a kernel's counters, taken under its lock. Items admitted through the intake ring but not
 * yet drained into batches count as buffered (and submitted), so {@code submitted = sent + dropped + buffered +
 * in-flight} holds in every snapshot.
 *
 * @param bufferedItems items waiting: in the intake ring, in open or sealed batches, or waiting for a retry
 * @param bufferedBytes their bytes
 * @param inFlightBatches batches leased to senders
 * @param inFlightItems items in them
 * @param submitted items admitted or refused
 * @param sent items in batches sent successfully
 * @param dropped items dropped
 * @param droppedByReason {@code dropped} by reason, zero reasons absent
 * @param retried items scheduled for another attempt (twice retried counts twice)
 * @param sentBatches batches sent successfully
 * @param failedAttempts attempts that failed or timed out
 * @param consecutiveFailures failed attempts since the last success
 * @param abandonedSends abandoned attempts whose thread is still inside the sink
 * @param bufferFullFor how long the buffer has been full
 * @param paused whether sending is paused
 * @param closed whether it stopped accepting items
 * @param drained whether it is closed with nothing left
 * @param lastBatchItems items of the last batch sent
 * @param lastSentAt when the last batch was sent, {@code null} if none
 */
public record KernelStats(
        long bufferedItems,
        long bufferedBytes,
        int inFlightBatches,
        long inFlightItems,
        long submitted,
        long sent,
        long dropped,
        Map<DropReason, Long> droppedByReason,
        long retried,
        long sentBatches,
        long failedAttempts,
        long consecutiveFailures,
        int abandonedSends,
        Duration bufferFullFor,
        boolean paused,
        boolean closed,
        boolean drained,
        int lastBatchItems,
        Instant lastSentAt) {
}
