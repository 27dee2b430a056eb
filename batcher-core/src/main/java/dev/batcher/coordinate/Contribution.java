package dev.batcher.coordinate;

/**
 * What one caller adds to a batch's shared state. It runs under the coordinator's lock (nikandfor's section between
 * {@code Enter} and {@code Exit}), so it may change the state without further locking; anything slow or independent
 * of the other callers belongs before the call.
 *
 * <p>Throwing aborts the batch: the commit is skipped, the thrower gets its own exception back and every other
 * contributor of the batch a {@link BatchAbortedException} carrying it.
 *
 * @param <S> the shared state type
 */
@FunctionalInterface
public interface Contribution<S> {

    /**
     * Adds to the batch.
     *
     * @param state the batch's state; fresh (from the coordinator's state supplier) for the first contributor
     * @param round this contribution's place in the batch and its controls: trigger, cancel, retry in the next batch
     */
    void contribute(S state, Round round);
}
