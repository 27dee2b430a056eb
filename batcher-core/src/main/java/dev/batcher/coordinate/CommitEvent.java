package dev.batcher.coordinate;

import java.time.Duration;

/**
 * How one batch of a {@link Coordinator} ended.
 *
 * @param coordinator the coordinator's name
 * @param coach the coach of the batch (0 with one coach)
 * @param outcome committed, failed, cancelled, aborted, or {@link Outcome#CLOSED} for the last event
 * @param contributors contributions in the batch
 * @param duration how long the commit ran ({@link Duration#ZERO} when none ran)
 * @param error the commit's failure, the cancel cause or the aborting exception; else {@code null}
 */
public record CommitEvent(String coordinator, int coach, Outcome outcome, int contributors, Duration duration,
        Throwable error) {

    /** How a batch ended. */
    public enum Outcome {
        /** The commit returned; every contributor got its result. */
        COMMITTED,
        /** The commit threw; every contributor got a {@link CommitFailedException}. */
        FAILED,
        /** A contribution (or {@link Coordinator#shutdownNow()}) cancelled the batch; no commit ran. */
        CANCELLED,
        /** A contribution threw; no commit ran. */
        ABORTED,
        /** Not a batch: the coordinator is closed and drained; the last event. */
        CLOSED
    }
}
