package dev.batcher.coordinate;

/**
 * One contribution's place in its batch and what it may do to the batch. Valid only inside
 * {@link Contribution#contribute}; every method throws {@link IllegalStateException} afterwards.
 */
public final class Round {

    private final int index;
    private final int coach;
    private boolean active = true;
    private boolean triggered;
    private boolean cancelled;
    private Throwable cancelCause;
    private boolean retry;

    Round(int index, int coach) {
        this.index = index;
        this.coach = coach;
    }

    /** The position of this contribution in its batch: 0 for the first, which gets the fresh state. */
    public int index() {
        check();
        return index;
    }

    /** Whether this is the batch's first contribution (nikandfor's {@code idx == 0}): the state is fresh. */
    public boolean isFirst() {
        return index() == 0;
    }

    /** The coach the batch is collected on: 0 to {@code coaches - 1}. */
    public int coach() {
        check();
        return coach;
    }

    /**
     * Commits the batch as soon as this contribution returns, without waiting for announced callers (nikandfor's
     * {@code Trigger}). Callers not yet in the batch go to the next one.
     */
    public void trigger() {
        check();
        triggered = true;
    }

    /**
     * Cancels the batch (nikandfor's {@code Cancel}): the commit is skipped and every contributor, this one included,
     * gets a {@link BatchCancelledException}. Takes effect when the contribution returns.
     */
    public void cancel() {
        cancel(null);
    }

    /**
     * Cancels the batch with a cause every contributor's {@link BatchCancelledException} carries.
     *
     * @param cause why, or {@code null}
     */
    public void cancel(Throwable cause) {
        check();
        cancelled = true;
        cancelCause = cause;
    }

    /**
     * This contribution did not change the state and does not fit (nikandfor's "if full: Trigger, return errRetry"):
     * the batch is committed now without it, and the same {@link Contribution} runs again in the next batch of a coach,
     * with that batch's state. The caller's result is then the next batch's.
     *
     * @throws IllegalStateException for the first contribution of a batch: it would not fit the next one either
     */
    public void retryInNextBatch() {
        check();
        if (index == 0) {
            throw new IllegalStateException("retryInNextBatch() from the first contribution of a batch: the "
                    + "contribution does not fit even an empty batch; split it or commit it on its own");
        }
        retry = true;
    }

    void end() {
        active = false;
    }

    boolean triggered() {
        return triggered;
    }

    boolean cancelled() {
        return cancelled;
    }

    Throwable cancelCause() {
        return cancelCause;
    }

    boolean retry() {
        return retry;
    }

    private void check() {
        if (!active) {
            throw new IllegalStateException("A Round is valid only inside its Contribution.contribute call");
        }
    }
}
