package dev.batcher;

/** The order in which batches reach the sender. */
public enum Ordering {

    /** No guarantee: batches are sent in parallel and retried independently. */
    NONE,

    /**
     * Every batch in submission order, one at a time, a failed batch retried before anything after it
     * (requires {@code maxConcurrentSends = 1}).
     */
    FIFO,

    /**
     * Items with the same key (from the key extractor) are batched together and sent in order, one batch per key
     * at a time; different keys are sent in parallel, and a failing key does not hold up the others.
     */
    PER_KEY
}
