package dev.batcher.coordinate;

import java.time.Duration;

/**
 * A consistent snapshot of a {@link Coordinator}'s counters, taken under its lock.
 *
 * @param contributions contributions made (entered a batch), including ones whose batch is still open
 * @param commits commits that ran (returned or threw)
 * @param failedCommits commits that threw
 * @param committedContributions contributions in commits that returned
 * @param cancelledBatches batches cancelled (by a contribution or {@code shutdownNow})
 * @param abortedBatches batches aborted by a contribution that threw
 * @param refusedTries tries refused because a commit was in progress
 * @param lastCommitDuration how long the last commit ran ({@link Duration#ZERO} before the first)
 * @param lastCommitContributors contributions in the last commit
 * @param announced callers announced and not yet in a batch
 * @param open contributions in open batches, waiting for their commit
 * @param paused whether commits are held
 * @param closed whether new contributions are refused
 */
public record CoordinatorStats(long contributions, long commits, long failedCommits, long committedContributions,
        long cancelledBatches, long abortedBatches, long refusedTries, Duration lastCommitDuration,
        int lastCommitContributors, int announced, int open, boolean paused, boolean closed) {

    /** Average contributions per successful commit: how much the coordinator saved; 0 before the first. */
    public double contributorsPerCommit() {
        long succeeded = commits - failedCommits;
        return succeeded == 0 ? 0 : (double) committedContributions / succeeded;
    }
}
