package dev.batcher.coordinate;

/**
 * A caller stopped waiting: it was interrupted (it keeps its interrupt flag) or its timeout passed.
 * {@link #contributed()} tells whether its contribution was already made: a contribution already in the state stays
 * in the batch and is committed, cancelled or aborted with the others (a state cannot be un-added); the caller only
 * does not learn the outcome. A caller that stopped waiting at the entrance (a commit in progress) made no
 * contribution and left the batch's queue.
 */
public class CommitWaitException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean timedOut;
    private final boolean contributed;

    /**
     * Creates the exception.
     *
     * @param coordinator the coordinator's name
     * @param timedOut {@code true} for a timeout, {@code false} for an interrupt
     * @param contributed whether the contribution was made and stays in its batch
     */
    public CommitWaitException(String coordinator, boolean timedOut, boolean contributed) {
        super("Coordinator '" + coordinator + "': " + (timedOut ? "timed out" : "interrupted") + " while waiting "
                + (contributed ? "for the commit; the contribution stays in its batch and is committed with it"
                        : "to enter a batch (a commit was in progress); no contribution was made"));
        this.timedOut = timedOut;
        this.contributed = contributed;
    }

    /** Whether the wait timed out ({@code false}: it was interrupted). */
    public boolean timedOut() {
        return timedOut;
    }

    /** Whether the contribution was made and stays in its batch. */
    public boolean contributed() {
        return contributed;
    }
}
