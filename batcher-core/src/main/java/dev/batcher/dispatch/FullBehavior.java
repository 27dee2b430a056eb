package dev.batcher.dispatch;

/** What a submit does when the buffer is at its item or byte limit. */
public enum FullBehavior {

    /** Wait for room, up to the block timeout, then throw {@link BufferFullException} (luci BlockNewItems). */
    BLOCK,

    /**
     * Never wait: drop the oldest batch that is not being sent, reporting its items with
     * {@link DropReason#OLDEST_DROPPED} (luci DropOldestBatch). When every buffered batch is being sent, the new
     * item itself is refused with {@link BufferFullException}.
     */
    DROP_OLDEST,

    /** Never wait: refuse the new item at once with {@link BufferFullException}. */
    REJECT
}
