package dev.batcher.bench;

/**
 * One way of handing items from producer threads to a batching consumer: the Dispatcher or one of its peers. Every
 * implementation cuts batches of {@link #BATCH_ITEMS} items or {@link #BATCH_AGE_MS} ms (or, for the Disruptor,
 * at the end of what is available), hands them to a {@link CountingSink}, and blocks producers when its bounded
 * buffer is full, so that the rate at which {@link #put} returns is the end-to-end throughput.
 */
interface Pipeline {

    /** Items per batch. */
    int BATCH_ITEMS = 100;

    /** Longest time a partial batch waits, in milliseconds. */
    long BATCH_AGE_MS = 10;

    /** Items buffered at most between producers and the consumer. */
    int BUFFER_ITEMS = 65_536;

    /**
     * Hands one item over.
     *
     * @return the per-item future where the implementation has one, otherwise {@code null}
     */
    Object put(Long item) throws Exception;

    /** The sink that counts what was consumed. */
    CountingSink sink();

    /** Drains what is buffered, stops the consumer threads. */
    void close() throws Exception;
}
