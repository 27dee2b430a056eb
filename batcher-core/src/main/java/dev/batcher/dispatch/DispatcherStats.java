package dev.batcher.dispatch;

import dev.batcher.DropReason;
import dev.batcher.durable.DurableLogStats;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A consistent snapshot of a dispatcher's state: every number is read at the same instant (items still in the
 * lock-free intake count as submitted and buffered), so the accounting invariant
 * {@code submitted = sent + dropped + bufferedItems + inFlightItems} holds in every snapshot (see {@link #isBalanced()}).
 *
 * @param name the dispatcher name
 * @param bufferedItems items waiting in the buffer, including batches waiting to be retried
 * @param bufferedBytes bytes of those items (0 without an item sizer)
 * @param inFlightBatches batches being sent right now
 * @param inFlightItems items in those batches
 * @param submitted items ever accepted or refused by a submit (refused ones are also counted as dropped)
 * @param sent items in batches that were sent successfully
 * @param dropped items dropped, for any reason
 * @param droppedByReason {@code dropped} split by reason; reasons with no drops are absent
 * @param retried items in batches that were scheduled for another attempt (an item retried twice counts twice)
 * @param sentBatches batches sent successfully (heartbeats included)
 * @param failedAttempts send attempts that failed or timed out
 * @param consecutiveFailures failed attempts since the last successful send
 * @param bufferFullFor how long the buffer has been at its limit, {@link Duration#ZERO} when it is not
 * @param paused whether sending is paused
 * @param closed whether the dispatcher stopped accepting items
 * @param drained whether it is closed and has nothing left to send
 * @param lastBatchItems the size of the last batch sent successfully, 0 if none
 * @param lastSentAt when the last successful send finished, {@code null} if none; recorded once per send
 * @param abandonedSends attempts abandoned after {@code send-timeout} whose thread is still inside the sink; each
 *     holds one of the {@code max-concurrent-sends} slots until it returns
 * @param replayedItems items a previous run left in the durable buffer, replayed since this dispatcher was created
 *     (counted in {@code submitted} too: across a restart, read {@code submitted} of this run as "replayed plus
 *     accepted"); 0 without a durable buffer
 * @param durable the durable buffer's log (bytes and records on disk, fsyncs, truncated tails), or {@code null}
 *     without one
 */
public record DispatcherStats(
        String name,
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
        Duration bufferFullFor,
        boolean paused,
        boolean closed,
        boolean drained,
        int lastBatchItems,
        Instant lastSentAt,
        int abandonedSends,
        long replayedItems,
        DurableLogStats durable) {

    /** Items dropped with one reason. */
    public long dropped(DropReason reason) {
        return droppedByReason.getOrDefault(reason, 0L);
    }

    /**
     * Whether {@code submitted = sent + dropped + bufferedItems + inFlightItems} (nothing lost, nothing doubled) and,
     * once drained, nothing is left buffered or in flight.
     */
    public boolean isBalanced() {
        return submitted == sent + dropped + bufferedItems + inFlightItems
                && !(drained && (bufferedItems != 0 || inFlightItems != 0));
    }
}
