package dev.batcher.autoconfigure;

import dev.batcher.cost.Batcher;

/** Binds observability (meters) to cost batchers; implemented by the metrics auto-configuration. */
interface CostBatcherInstrumentation {

    /**
     * Binds the meters of a batcher, read from {@link Batcher#stats()} and its observer.
     *
     * @param batcher a registered batcher
     * @param observer what the starter keeps about it
     */
    void bind(Batcher batcher, BatcherObserver observer);

    /**
     * Removes every meter of a batcher. Safe to call more than once.
     *
     * @param name the batcher name
     */
    void unbind(String name);
}
