package dev.batcher.coordinate;

/**
 * Commits a batch's state once for all its contributors (nikandfor's {@code Coordinator.Commit}). It runs on the
 * thread of one contributor (the last one in), outside the coordinator's lock; while it runs, new callers of its coach
 * wait at the entrance.
 *
 * @param <S> the shared state type
 * @param <R> the result every contributor gets
 */
@FunctionalInterface
public interface Committer<S, R> {

    /**
     * Commits.
     *
     * @param state the state every contributor of the batch added to
     * @param coach the coach (0 to {@code coaches - 1}) the batch was collected on, for example the replica to write
     *     to; always 0 with one coach
     * @return the result every contributor gets (may be {@code null})
     * @throws Exception to fail every contributor with a {@link CommitFailedException} carrying it
     */
    R commit(S state, int coach) throws Exception;
}
