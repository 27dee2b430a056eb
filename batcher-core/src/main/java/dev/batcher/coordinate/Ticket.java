package dev.batcher.coordinate;

import java.time.Duration;

/**
 * A caller's place in a {@link Coordinator}'s queue (nikandfor's {@code Queue().In()}): while it is held, the open
 * batch is not committed without this caller (unless triggered), so it can prepare its data outside the lock and still
 * join the batch. Contribute once, or close it to leave (nikandfor's {@code Out} + {@code Notify}):
 *
 * <pre>{@code
 * try (Ticket<Audit, Long> ticket = coordinator.announce()) {
 *     Record record = prepare();                    // slow, independent work: outside the lock
 *     if (!needed(record)) {
 *         return;                                   // close() leaves: the batch stops waiting for us
 *     }
 *     long id = ticket.contribute((audit, round) -> audit.add(record));
 * }
 * }</pre>
 *
 * A ticket belongs to one thread and contributes once.
 *
 * @param <S> the shared state type
 * @param <R> the commit's result type
 */
public final class Ticket<S, R> implements AutoCloseable {

    private final Coordinator<S, R> coordinator;
    /** Guarded by the coordinator's lock: the ticket contributed or left. */
    boolean used;

    Ticket(Coordinator<S, R> coordinator) {
        this.coordinator = coordinator;
    }

    /**
     * Contributes and waits for the batch's outcome; see {@link Coordinator#contribute(Contribution)}.
     *
     * @param contribution what to add to the state, under the lock
     * @return the commit's result
     * @throws IllegalStateException when the ticket was already used or closed
     */
    public R contribute(Contribution<? super S> contribution) {
        return coordinator.perform(this, contribution, false, 0);
    }

    /**
     * Contributes and waits at most {@code timeout} in all; see {@link Coordinator#contribute(Contribution, Duration)}.
     *
     * @param contribution what to add to the state, under the lock
     * @param timeout the longest wait, to enter and for the commit
     * @return the commit's result
     * @throws CommitWaitException when the timeout passed ({@link CommitWaitException#contributed()} says whether
     *     the contribution was made; if so it stays in its batch)
     */
    public R contribute(Contribution<? super S> contribution, Duration timeout) {
        return coordinator.perform(this, contribution, true, timeout.toNanos());
    }

    /**
     * Contributes unless a commit is in progress; see {@link Coordinator#tryContribute(Contribution)}.
     *
     * @param contribution what to add to the state, under the lock
     * @return refused, or the commit's result
     */
    public Attempt<R> tryContribute(Contribution<? super S> contribution) {
        return coordinator.tryPerform(this, contribution);
    }

    /** Leaves the queue if the ticket did not contribute; the batch stops waiting for this caller. Idempotent. */
    @Override
    public void close() {
        coordinator.leave(this);
    }
}
