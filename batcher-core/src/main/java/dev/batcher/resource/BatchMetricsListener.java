package dev.batcher.resource;

/**
 * Gets a {@link BatchMetrics} after every batch of a {@link ResourceProcessor}.
 *
 * <p>Called on the processor's own metrics thread ({@code batcher-<name>-metrics}), never on a batch's thread: a slow
 * listener delays only later metrics, never the processor. When more than 4,096 metrics wait, new ones are dropped
 * and counted in {@link ResourceProcessorStats#lostMetrics()}. A listener that throws is logged; the others still
 * get the metric.
 */
@FunctionalInterface
public interface BatchMetricsListener {

    /**
     * Called once per finished batch.
     *
     * @param metrics the batch's measurements
     */
    void onBatch(BatchMetrics metrics);
}
