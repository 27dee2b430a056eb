package dev.batcher.kernel;

import dev.batcher.Batch;
import java.util.List;

/**
 * What the kernel sends a batch with: an engine adapts its user-facing sender to this.
 *
 * @param <T> the item type
 * @param <R> the result type of each item
 */
@FunctionalInterface
public interface KernelSink<T, R> {

    /**
     * Sends one batch.
     *
     * @param batch the batch
     * @return one result per item, in order, or {@code null} when items have no result
     * @throws Exception to fail the attempt
     */
    List<? extends R> send(Batch<T> batch) throws Exception;
}
