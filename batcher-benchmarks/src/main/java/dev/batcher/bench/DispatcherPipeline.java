package dev.batcher.bench;

import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherConfig;
import dev.batcher.dispatch.DispatcherStats;
import dev.batcher.FullBehavior;
import java.time.Duration;

/** The Dispatcher: fire-and-forget ({@code enqueue}) or with a future per item ({@code submit}). */
final class DispatcherPipeline implements Pipeline {

    /** {@code max-concurrent-sends}; the peers have one consumer, the sink is trivial. */
    static final int MAX_CONCURRENT_SENDS = Integer.getInteger("bench.dispatcher.maxConcurrentSends", 1);

    private final CountingSink sink = new CountingSink();
    private final Dispatcher<Long> dispatcher;
    private final boolean futures;

    DispatcherPipeline(boolean futures) {
        this("bench-dispatcher", futures);
    }

    DispatcherPipeline(String name, boolean futures) {
        this.futures = futures;
        DispatcherConfig<Long> config = DispatcherConfig.<Long>builder()
                .maxBatchItems(BATCH_ITEMS)
                .maxBatchAge(Duration.ofMillis(BATCH_AGE_MS))
                .maxConcurrentSends(MAX_CONCURRENT_SENDS)
                .bufferMaxItems(BUFFER_ITEMS)
                .fullBehavior(FullBehavior.BLOCK)
                .blockTimeout(Duration.ofMinutes(5))
                .build();
        this.dispatcher = Dispatcher.create(name, config, batch -> sink.accept(batch.items()));
    }

    Dispatcher<Long> dispatcher() {
        return dispatcher;
    }

    @Override
    public Object put(Long item) {
        if (futures) {
            return dispatcher.submit(item);
        }
        dispatcher.enqueue(item);
        return null;
    }

    @Override
    public CountingSink sink() {
        return sink;
    }

    @Override
    public void close() {
        boolean drained = dispatcher.close(Duration.ofSeconds(30));
        try {
            DispatcherStats s = dispatcher.stats();
            System.out.printf("[dispatcher] drained=%s balanced=%s submitted=%,d sent=%,d dropped=%,d batches=%,d%n",
                    drained, s.isBalanced(), s.submitted(), s.sent(), s.dropped(), s.sentBatches());
        } catch (RuntimeException e) {
            System.out.println("[dispatcher] stats unavailable: " + e);
        }
    }
}
