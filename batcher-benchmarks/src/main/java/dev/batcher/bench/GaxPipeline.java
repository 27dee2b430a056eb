package dev.batcher.bench;

import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutures;
import com.google.api.gax.batching.BatchEntry;
import com.google.api.gax.batching.BatcherImpl;
import com.google.api.gax.batching.BatchingDescriptor;
import com.google.api.gax.batching.BatchingRequestBuilder;
import com.google.api.gax.batching.BatchingSettings;
import com.google.api.gax.batching.FlowControlSettings;
import com.google.api.gax.batching.FlowController;
import com.google.api.gax.rpc.ApiCallContext;
import com.google.api.gax.rpc.UnaryCallable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Google gax {@link BatcherImpl}: an {@code ApiFuture} per element, batches of 100 elements or 10 ms, flow control
 * of 65,536 outstanding elements that blocks producers. The "RPC" is a callable that counts the batch and answers
 * at once, so the batch is sent on the producer thread that fills it (as gax does) and the futures completed there.
 */
final class GaxPipeline implements Pipeline {

    private final CountingSink sink = new CountingSink();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gax-batcher-timer");
        t.setDaemon(true);
        return t;
    });
    private final BatcherImpl<Long, Void, List<Long>, Integer> batcher;

    GaxPipeline() {
        BatchingSettings settings = BatchingSettings.newBuilder()
                .setElementCountThreshold((long) BATCH_ITEMS)
                .setRequestByteThreshold(1L << 30)
                .setDelayThresholdDuration(Duration.ofMillis(BATCH_AGE_MS))
                .setFlowControlSettings(FlowControlSettings.newBuilder()
                        .setMaxOutstandingElementCount((long) BUFFER_ITEMS)
                        .setMaxOutstandingRequestBytes(1L << 40)
                        .setLimitExceededBehavior(FlowController.LimitExceededBehavior.Block)
                        .build())
                .build();
        batcher = new BatcherImpl<>(new CountingDescriptor(), new CountingCallable(sink), new ArrayList<>(), settings,
                executor);
    }

    @Override
    public Object put(Long item) {
        return batcher.add(item);
    }

    @Override
    public CountingSink sink() {
        return sink;
    }

    @Override
    public void close() throws Exception {
        batcher.close(Duration.ofSeconds(30));
        executor.shutdownNow();
    }

    /** Requests are lists of elements, the response is the number of elements. */
    static final class CountingDescriptor implements BatchingDescriptor<Long, Void, List<Long>, Integer> {

        @Override
        public BatchingRequestBuilder<Long, List<Long>> newRequestBuilder(List<Long> prototype) {
            return new BatchingRequestBuilder<>() {
                private final List<Long> items = new ArrayList<>(BATCH_ITEMS);

                @Override
                public void add(Long element) {
                    items.add(element);
                }

                @Override
                public List<Long> build() {
                    return items;
                }
            };
        }

        @Override
        public void splitResponse(Integer response, List<BatchEntry<Long, Void>> batch) {
            for (BatchEntry<Long, Void> entry : batch) {
                entry.getResultFuture().set(null);
            }
        }

        @Override
        public void splitException(Throwable throwable, List<BatchEntry<Long, Void>> batch) {
            for (BatchEntry<Long, Void> entry : batch) {
                entry.getResultFuture().setException(throwable);
            }
        }

        @Override
        public long countBytes(Long element) {
            return 8;
        }
    }

    /** The "RPC": counts the batch and answers at once. */
    static final class CountingCallable extends UnaryCallable<List<Long>, Integer> {

        private final CountingSink sink;

        CountingCallable(CountingSink sink) {
            this.sink = sink;
        }

        @Override
        public ApiFuture<Integer> futureCall(List<Long> request, ApiCallContext context) {
            sink.accept(request);
            return ApiFutures.immediateFuture(request.size());
        }
    }
}
