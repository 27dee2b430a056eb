package dev.batcher.autoconfigure;

import dev.batcher.resource.BatchMetrics;
import dev.batcher.resource.BatchMetricsListener;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What the starter keeps about a resource processor's batches, from its {@link BatchMetrics} (on the processor's
 * metrics thread, never on a batch's thread): failed batches in a row, for health; the last batch, for the endpoint;
 * and each batch handed on to the meters, when bound.
 */
final class ProcessorObserver implements BatchMetricsListener {

    private final AtomicLong consecutiveFailures = new AtomicLong();

    private volatile BatchMetrics last;

    private volatile Consumer<BatchMetrics> meters = metrics -> {
    };

    @Override
    public void onBatch(BatchMetrics metrics) {
        if (metrics.succeeded()) {
            this.consecutiveFailures.set(0);
        }
        else {
            this.consecutiveFailures.incrementAndGet();
        }
        this.last = metrics;
        this.meters.accept(metrics);
    }

    /** Batches whose load or save failed (or ran past their deadline) since the last saved one. */
    long consecutiveFailures() {
        return this.consecutiveFailures.get();
    }

    /** The last finished batch, or {@code null}. */
    BatchMetrics last() {
        return this.last;
    }

    /** Hands every batch from now on to {@code recorder}. */
    void meters(Consumer<BatchMetrics> recorder) {
        this.meters = recorder;
    }
}
