package dev.batcher;

/** What a submit does when the buffer is at its item or byte limit. */
public enum FullBehavior {

    /** Wait for room, up to the block timeout, then throw {@link BufferFullException} (luci BlockNewItems). */
    BLOCK,

    /**
     * Never wait, never refuse: make room by dropping whole batches with {@link DropReason#OLDEST_DROPPED} (luci
     * DropOldestBatch): the oldest batch waiting in the buffer first, then the oldest one waiting for a retry or being
     * sent (a later outcome of that send is ignored), then the open batch.
     */
    DROP_OLDEST,

    /** Never wait: refuse the new item at once with {@link BufferFullException}. */
    REJECT
}
