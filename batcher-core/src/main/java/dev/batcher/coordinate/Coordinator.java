package dev.batcher.coordinate;

import dev.batcher.BatchingEngine;
import dev.batcher.kernel.EventChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Folds many concurrent callers into one commit (nikandfor/batch's {@code Coordinator} and {@code Multi}, in Java
 * idiom): each caller adds its part to a shared state under mutual exclusion, then one commit of that state settles
 * every caller of the batch with the same result or the same exception.
 *
 * <pre>{@code
 * Coordinator<List<Audit>, Long> audits = Coordinator.create("audit", CoordinatorConfig.defaults(),
 *         ArrayList::new,                                   // a fresh state for each batch's first contributor
 *         (records, coach) -> repository.insertAll(records)); // runs once per batch
 * long committed = audits.contribute((records, round) -> records.add(record));
 * }</pre>
 *
 * <h2>How a batch forms and commits</h2>
 * <ul>
 *   <li>A caller enters the open batch of a coach (waiting while that coach commits), runs its {@link Contribution}
 *       under the coordinator's lock (the first of a batch gets a fresh state from the supplier) and waits.</li>
 *   <li>The batch is committed as soon as nobody else is on the way: no caller is announced ({@link #announce()};
 *       {@link #contribute(Contribution)} announces itself while it waits to enter), or a contribution triggered it
 *       ({@link Round#trigger()}), or {@link #flush()} or {@link #close()} did. The callers of the last commit count
 *       as on the way until they have picked up its outcome, so a caller that contributes again at once joins. The
 *       commit runs on the thread of a waiting contributor, usually the last one in, or on the thread of the last
 *       caller of the previous commit to pick up its outcome when that is what made the batch committable (that
 *       caller then returns after this commit, as a group commit's leader; a caller that gave a timeout never does):
 *       no extra thread and no timer. Batches thus grow as large as the load makes them, with no linger time.</li>
 *   <li>Every contributor gets the commit's result, or a {@link CommitFailedException} with the commit's exception.
 *       A contribution may instead cancel the batch ({@link Round#cancel}: everyone gets a
 *       {@link BatchCancelledException}, no commit) or throw (the batch is aborted: the thrower gets its own
 *       exception, the others a {@link BatchAbortedException} carrying it, no commit).</li>
 *   <li>With {@code coaches > 1} several batches are collected and committed in parallel; the
 *       {@link CoordinatorConfig#balancer()} picks the coach (by default the first one not committing).</li>
 * </ul>
 *
 * <h2>Waiting</h2>
 * Callers wait uninterruptibly only for the lock. A wait for the entrance or for the commit ends early with a
 * {@link CommitWaitException} on interrupt (the thread keeps its flag) or at the timeout of
 * {@link #contribute(Contribution, Duration)}. A contribution already made stays in the state: it is committed (or
 * cancelled or aborted) with its batch, and only its caller does not learn the outcome. If every contributor of a
 * batch stopped waiting, the next thread to make it committable (a newcomer, a leaving ticket, {@link #flush()},
 * {@link #resume()}, {@link #close()}) commits it.
 *
 * <h2>Engine contract</h2>
 * {@link #flush()} triggers the open batches; {@link #pause()} holds commits (contributions keep joining the open
 * batches) until {@link #resume()}; {@link #close(Duration)} refuses new contributions with a
 * {@link CoordinatorClosedException}, commits the open batches and waits for the running commits;
 * {@link #shutdownNow()} cancels the open batches at once (a commit already running finishes: it runs on a caller's
 * thread, which the coordinator does not interrupt). Neither the committer nor a contribution may call back into the
 * same coordinator to contribute.
 *
 * @param <S> the shared state type
 * @param <R> the commit's result type
 */
public final class Coordinator<S, R> implements BatchingEngine {

    private static final System.Logger LOG = System.getLogger(Coordinator.class.getName());
    private static final int MAX_PENDING_EVENTS = 4096;
    /** How many parked waiters each thread that sees a batch settle unparks ({@link Batch#wakeSome}). */
    private static final int WAKE_FAN_OUT = 2;
    private static final Object REFUSED = new Object();

    private final String name;
    private final CoordinatorConfig config;
    private final Supplier<? extends S> freshState;
    private final Committer<? super S, ? extends R> committer;
    private final EventChannel<CommitListener, CommitEvent> events;
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Signalled for the callers waiting at the entrance and for {@link #close(Duration)}: a free coach, a drain. The
     * contributors waiting for an outcome park on their batch instead (see {@link #awaitOutcome}).
     */
    private final Condition changed = lock.newCondition();
    private final List<Coach> coaches;

    // Everything below is guarded by lock.
    private int announced;
    /**
     * Contributors of settled batches that have not picked up their outcome yet (woken, not yet out). The next batch
     * waits for them as for announced callers: a caller that contributes again as soon as it has its result (a loop, a
     * busy service) joins it instead of making the batches alternate between the callers of a commit and the rest.
     * Added to under the lock when a batch settles; counted down with or without it, as each waiter picks up its
     * outcome; whoever brings it to zero calls {@link #progress()} under the lock.
     */
    private final AtomicInteger returning = new AtomicInteger();
    private boolean paused;
    private boolean closed;
    private boolean drained;
    private List<CompletableFuture<Void>> toComplete;
    /** Batches settled under the current hold of the lock whose parked waiters {@link #release()} unparks. */
    private List<Batch> toWake;
    private long contributions;
    private long commits;
    private long failedCommits;
    private long committedContributions;
    private long cancelledBatches;
    private long abortedBatches;
    private long refusedTries;
    private long lastCommitNanos;
    private int lastCommitContributors;

    private Coordinator(String name, CoordinatorConfig config, Supplier<? extends S> freshState,
            Committer<? super S, ? extends R> committer) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A coordinator needs a non-blank name");
        }
        this.name = name;
        this.config = Objects.requireNonNull(config, "config");
        this.freshState = Objects.requireNonNull(freshState, "freshState");
        this.committer = Objects.requireNonNull(committer, "committer");
        List<Coach> all = new ArrayList<>(config.coaches());
        for (int i = 0; i < config.coaches(); i++) {
            all.add(new Coach(i));
        }
        this.coaches = List.copyOf(all);
        this.events = new EventChannel<>("Coordinator '" + name + "'", "batcher-" + name + "-events",
                MAX_PENDING_EVENTS, CommitListener::onCommit, LOG);
    }

    /**
     * Creates a coordinator; it is ready at once and runs no thread of its own (but the event thread, started with the
     * first event that has a listener).
     *
     * @param name the name errors, threads, logs and meters use
     * @param config the options (coaches, balancer, drain timeout)
     * @param freshState makes the state of each new batch, for its first contributor; called under the lock
     * @param committer commits a batch's state, once per batch
     * @param <S> the shared state type
     * @param <R> the commit's result type
     * @return the coordinator
     */
    public static <S, R> Coordinator<S, R> create(String name, CoordinatorConfig config, Supplier<? extends S> freshState,
            Committer<? super S, ? extends R> committer) {
        return new Coordinator<>(name, config, freshState, committer);
    }

    @Override
    public String name() {
        return name;
    }

    /** The options it was created with. */
    public CoordinatorConfig config() {
        return config;
    }

    /**
     * Announces a caller (nikandfor's {@code Queue().In()}): until the ticket contributes or is closed, no batch is
     * committed without it unless triggered. Prepare the contribution, then call {@link Ticket#contribute}; close the
     * ticket to leave without contributing (try-with-resources does both).
     *
     * @return the caller's ticket
     * @throws CoordinatorClosedException when closed
     */
    public Ticket<S, R> announce() {
        lock.lock();
        try {
            if (closed) {
                throw new CoordinatorClosedException(name);
            }
            announced++;
            return new Ticket<>(this);
        }
        finally {
            release();
        }
    }

    /**
     * Contributes to the open batch and waits for its outcome: {@link #announce()} and {@link Ticket#contribute} in
     * one call. Waits to enter while the chosen coach commits (counted as announced meanwhile, so the next batch waits
     * for it), then runs {@code contribution} under the lock, then waits for the commit or runs it.
     *
     * @param contribution what to add to the state
     * @return the commit's result, the same for every contributor of the batch
     * @throws CommitFailedException when the commit threw
     * @throws BatchCancelledException when a contribution cancelled the batch, or {@link #shutdownNow()} did
     * @throws BatchAbortedException when another contribution of the batch threw
     * @throws CommitWaitException when interrupted while waiting
     * @throws CoordinatorClosedException when closed before the contribution was made
     * @throws RuntimeException what {@code contribution} itself threw (its batch is then aborted)
     */
    public R contribute(Contribution<? super S> contribution) {
        return cast(run(null, contribution, false, false, 0));
    }

    /**
     * {@link #contribute(Contribution)} waiting at most {@code timeout} in all (to enter, and for the commit).
     *
     * @param contribution what to add to the state
     * @param timeout the longest wait
     * @return the commit's result
     * @throws CommitWaitException at the timeout or on interrupt; {@link CommitWaitException#contributed()} tells
     *     whether the contribution was made (it then stays in its batch and is committed with it)
     */
    public R contribute(Contribution<? super S> contribution, Duration timeout) {
        return cast(run(null, contribution, false, true, timeout.toNanos()));
    }

    /**
     * Contributes unless the coach to enter is committing (nikandfor's {@code Enter(false)}): then it returns a refused
     * {@link Attempt} at once, without contributing. Once entered it waits for the commit like
     * {@link #contribute(Contribution)}.
     *
     * @param contribution what to add to the state
     * @return refused, or entered with the commit's result
     */
    public Attempt<R> tryContribute(Contribution<? super S> contribution) {
        return attempt(run(null, contribution, true, false, 0));
    }

    /**
     * Adds a listener of commit events.
     *
     * @param listener gets an event for every batch that ends (committed, failed, cancelled, aborted) and a last one
     *     once closed and drained
     */
    public void addListener(CommitListener listener) {
        events.add(listener);
    }

    /** Removes a listener added before. */
    public void removeListener(CommitListener listener) {
        events.remove(listener);
    }

    /** A consistent snapshot of the counters. */
    public CoordinatorStats stats() {
        lock.lock();
        try {
            int open = 0;
            for (Coach coach : coaches) {
                open += coach.open == null ? 0 : coach.open.contributors;
            }
            return new CoordinatorStats(contributions, commits, failedCommits, committedContributions,
                    cancelledBatches, abortedBatches, refusedTries, Duration.ofNanos(lastCommitNanos),
                    lastCommitContributors, announced, open, paused, closed);
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Triggers the open batches: each is committed now, without waiting for announced callers (or at
     * {@link #resume()} when paused).
     *
     * @return completed when the open batches and the commits running at the call have ended (not on the caller's
     *     thread when that ends later)
     */
    @Override
    public CompletableFuture<Void> flush() {
        List<CompletableFuture<Void>> ends = new ArrayList<>();
        lock.lock();
        try {
            for (Coach coach : coaches) {
                if (coach.committing != null) {
                    ends.add(coach.committing.end());
                }
                if (coach.open != null) {
                    coach.open.triggered = true;
                    ends.add(coach.open.end());
                }
            }
            progress();
        }
        finally {
            release();
        }
        return CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new));
    }

    /**
     * Holds commits: contributions keep joining the open batches, which are committed after {@link #resume()}.
     *
     * @throws IllegalStateException when closing or closed
     */
    @Override
    public void pause() {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("Coordinator '" + name + "' is closing or closed: a pause would "
                        + "stall the drain");
            }
            paused = true;
        }
        finally {
            lock.unlock();
        }
    }

    /** Releases the commits held by {@link #pause()}. */
    @Override
    public void resume() {
        lock.lock();
        try {
            paused = false;
            progress();
        }
        finally {
            release();
        }
    }

    /**
     * Refuses new announcements and contributions ({@link CoordinatorClosedException}; announced tickets are refused
     * when they contribute), releases a pause, triggers the open batches and waits for them and the running commits.
     *
     * @param timeout how long to wait
     * @return {@code true} if every batch ended in time
     */
    @Override
    public boolean close(Duration timeout) {
        checkNotInside("close");
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                paused = false;
                for (Coach coach : coaches) {
                    if (coach.open != null) {
                        coach.open.triggered = true;
                    }
                }
                progress();
                checkDrained();
            }
            while (!drained) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    changed.awaitNanos(left);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return drained;
                }
            }
            return true;
        }
        finally {
            release();
        }
    }

    /** {@link #close(Duration)} with {@link CoordinatorConfig#drainTimeout()}. */
    @Override
    public void close() {
        close(config.drainTimeout());
    }

    /**
     * Closes at once: refuses new contributions and cancels the open batches (their contributors get a
     * {@link BatchCancelledException} caused by a {@link CoordinatorClosedException}). A commit already running
     * finishes and settles its batch.
     */
    @Override
    public void shutdownNow() {
        lock.lock();
        try {
            closed = true;
            paused = false;
            for (Coach coach : coaches) {
                if (coach.open != null) {
                    cancel(coach.open, new CoordinatorClosedException(name));
                }
            }
            checkDrained();
            changed.signalAll();
        }
        finally {
            release();
        }
    }

    @Override
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isDrained() {
        lock.lock();
        try {
            return drained;
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Coordinator '" + name + "' (" + coaches.size() + (coaches.size() == 1 ? " coach)" : " coaches)");
    }

    // ---- used by Ticket ----

    R perform(Ticket<S, R> ticket, Contribution<? super S> contribution, boolean timed, long timeoutNanos) {
        return cast(run(ticket, contribution, false, timed, timeoutNanos));
    }

    Attempt<R> tryPerform(Ticket<S, R> ticket, Contribution<? super S> contribution) {
        return attempt(run(ticket, contribution, true, false, 0));
    }

    void leave(Ticket<S, R> ticket) {
        lock.lock();
        try {
            if (!ticket.used) {
                ticket.used = true;
                leaveQueue();
            }
        }
        finally {
            release();
        }
    }

    // ---- the batch ----

    /**
     * One caller's way through: the entrance, its contribution under the lock, then the wait for the outcome (or the
     * commit itself). {@code ticket == null} announces the caller here.
     */
    private Object run(Ticket<S, R> ticket, Contribution<? super S> contribution, boolean tryOnly, boolean timed,
            long timeoutNanos) {
        Objects.requireNonNull(contribution, "contribution");
        checkNotInside("contribute");
        long deadline = timed ? System.nanoTime() + timeoutNanos : 0;
        lock.lock();
        try {
            if (ticket == null) {
                if (closed) {
                    throw new CoordinatorClosedException(name);
                }
                announced++;
            }
            else {
                if (ticket.used) {
                    throw new IllegalStateException("This ticket of Coordinator '" + name + "' was already used: a "
                            + "ticket contributes once, and not after close(); call announce() again");
                }
                ticket.used = true;
            }
            while (true) {
                Coach coach = enter(tryOnly, timed, deadline);
                if (coach == null) {
                    return REFUSED;
                }
                Batch batch = coach.open;
                if (batch == null) {
                    batch = new Batch(coach, Objects.requireNonNull(freshState.get(),
                            "the state supplier of Coordinator '" + name + "' returned null"));
                    coach.open = batch;
                }
                Round round = new Round(batch.contributors, coach.index);
                batch.contributors++;
                contributions++;
                try {
                    contribution.contribute(batch.state, round);
                }
                catch (Throwable ex) {
                    round.end();
                    abort(batch, ex);
                    throw ex;
                }
                round.end();
                if (round.cancelled()) {
                    cancel(batch, round.cancelCause());
                    throw new BatchCancelledException(name, round.cancelCause());
                }
                if (round.retry()) {
                    // Not in this batch after all: commit it without us, and queue for the next one.
                    batch.contributors--;
                    contributions--;
                    batch.triggered = true;
                    announced++;
                    progress();
                    continue;
                }
                if (round.triggered()) {
                    batch.triggered = true;
                }
                return awaitOutcome(batch, timed, deadline);
            }
        }
        finally {
            if (lock.isHeldByCurrentThread()) { // awaitOutcome picks up a settled outcome without the lock
                release();
            }
        }
    }

    /** Waits for a coach the caller may enter; leaves the queue on every way out. {@code null}: a refused try. */
    private Coach enter(boolean tryOnly, boolean timed, long deadline) {
        while (true) {
            if (closed) {
                leaveQueue();
                throw new CoordinatorClosedException(name);
            }
            Coach coach;
            try {
                coach = choose();
            }
            catch (RuntimeException | Error ex) {
                leaveQueue();
                throw ex;
            }
            if (coach != null && enterable(coach)) {
                if (--announced == 0 && coaches.size() > 1) {
                    wake(); // the open batches of the other coaches stop waiting for us
                }
                return coach;
            }
            if (tryOnly) {
                refusedTries++;
                leaveQueue();
                return null;
            }
            boolean timedOut;
            try {
                timedOut = !awaitChange(timed, deadline);
            }
            catch (InterruptedException ex) {
                leaveQueue();
                Thread.currentThread().interrupt();
                throw new CommitWaitException(name, false, false);
            }
            if (timedOut) {
                leaveQueue();
                throw new CommitWaitException(name, true, false);
            }
        }
    }

    private Coach choose() {
        if (coaches.size() == 1) {
            return coaches.get(0);
        }
        List<Balancer.CoachState> view = new ArrayList<>(coaches.size());
        for (Coach coach : coaches) {
            view.add(new Balancer.CoachState(coach.index, !enterable(coach),
                    coach.open == null ? 0 : coach.open.contributors));
        }
        int chosen = config.balancer().choose(view);
        if (chosen == -1) {
            return null;
        }
        if (chosen < 0 || chosen >= coaches.size()) {
            throw new IllegalStateException("The balancer of Coordinator '" + name + "' chose coach " + chosen
                    + " of " + coaches.size() + "; it must return an index from 0 to " + (coaches.size() - 1)
                    + ", or -1 to wait for a commit to end");
        }
        return coaches.get(chosen);
    }

    /**
     * Whether a caller may enter the coach now: it is not committing, and its open batch (if any) was not triggered.
     * Callers arriving after a trigger go to the next batch (nikandfor's {@code Trigger}).
     */
    private boolean enterable(Coach coach) {
        return coach.committing == null && (coach.open == null || !coach.open.triggered);
    }

    /**
     * Waits until the batch has an outcome, committing it when this thread may. Called with the lock held; returns
     * with it held, or without it when the outcome was picked up on the fast path.
     *
     * <p>A waiter lists itself on its batch and parks without the lock. Settling a batch unparks all of its waiters
     * after the lock is released ({@link #release()}), and each reads the outcome (a volatile field written last)
     * without taking the lock: after a commit its callers wake in parallel instead of handing the lock on one by one,
     * which with 64 callers cost as much as the commit itself. A batch that became committable has one of its waiters
     * unparked ({@link #wake()}); that one takes the lock, checks, and commits.
     */
    private Object awaitOutcome(Batch batch, boolean timed, long deadline) {
        Thread self = Thread.currentThread();
        batch.waiters++;
        boolean listed = false;
        while (true) {
            if (batch.outcome != null) {
                if (listed) {
                    batch.wakeSome(self);
                }
                if (returning.decrementAndGet() == 0) {
                    lastReturned(timed);
                }
                return outcomeOf(batch);
            }
            if (committable(batch)) {
                batch.waiters--;
                if (listed) {
                    batch.sleepers.remove(self);
                }
                commit(batch);
                return outcomeOf(batch);
            }
            if (!listed) {
                batch.sleepers.add(self);
                listed = true;
            }
            release();
            boolean timedOut = false;
            if (batch.outcome == null) {
                if (!timed) {
                    LockSupport.park(batch);
                }
                else {
                    long left = deadline - System.nanoTime();
                    if (left > 0) {
                        LockSupport.parkNanos(batch, left);
                    }
                    timedOut = deadline - System.nanoTime() <= 0;
                }
            }
            boolean interrupted = Thread.interrupted();
            if (batch.outcome != null) { // the fast path: settled, and this waiter was counted as returning
                batch.wakeSome(self);
                if (interrupted) {
                    self.interrupt();
                }
                if (returning.decrementAndGet() == 0) {
                    lock.lock();
                    try {
                        lastReturned(timed);
                    }
                    finally {
                        release();
                    }
                }
                return outcomeOf(batch);
            }
            lock.lock();
            if ((timedOut || interrupted) && batch.outcome == null) {
                batch.waiters--;
                batch.sleepers.remove(self);
                progress(); // we may have been the last one able to commit it
                if (interrupted) {
                    self.interrupt();
                }
                throw new CommitWaitException(name, timedOut, true);
            }
            if (interrupted) {
                self.interrupt();
            }
        }
    }

    /**
     * Under the lock: the last caller of the settled batches has its outcome, so the open batch no longer waits for
     * returning callers. If that made it committable, this caller commits it before it returns (as a group commit's
     * leader does the followers' work), unless it gave a timeout: the batch's own waiters are parked, and waking one
     * to commit cost a scheduling delay on every commit (64 callers, 1 ms commit: 34,000 contributions/s with the
     * wake-up, 37,500 without). Otherwise the open batch's waiters are woken as after any change.
     */
    private void lastReturned(boolean timed) {
        if (!timed && lock.getHoldCount() == 1) {
            for (Coach coach : coaches) {
                Batch open = coach.open;
                if (open != null && committable(open)) {
                    commit(open);
                    break;
                }
            }
        }
        progress();
    }

    private Object outcomeOf(Batch batch) {
        switch (batch.outcome) {
            case COMMITTED:
                return batch.result;
            case FAILED:
                throw new CommitFailedException(name, batch.cause);
            case CANCELLED:
                throw new BatchCancelledException(name, batch.cause);
            default:
                throw new BatchAbortedException(name, batch.cause);
        }
    }

    /** Whether the open batch may be committed now: nobody else is on the way, or it was triggered. */
    private boolean committable(Batch batch) {
        Coach coach = batch.coach;
        return coach.open == batch && coach.committing == null && !paused
                && (batch.triggered || (announced == 0 && returning.get() == 0) || closed);
    }

    /** Runs the commit on this thread, outside the lock; settles the batch. Called with the lock held once. */
    private void commit(Batch batch) {
        Coach coach = batch.coach;
        coach.open = null;
        coach.committing = batch;
        R result = null;
        Throwable failure = null;
        long start = System.nanoTime();
        release();
        try {
            result = committer.commit(batch.state, coach.index);
        }
        catch (Throwable ex) {
            failure = ex;
        }
        finally {
            long elapsed = System.nanoTime() - start;
            lock.lock();
            lastCommitNanos = elapsed;
        }
        coach.committing = null;
        commits++;
        lastCommitContributors = batch.contributors;
        if (failure == null) {
            committedContributions += batch.contributors;
            settle(batch, CommitEvent.Outcome.COMMITTED, result, null, lastCommitNanos);
        }
        else {
            failedCommits++;
            settle(batch, CommitEvent.Outcome.FAILED, null, failure, lastCommitNanos);
        }
    }

    private void abort(Batch batch, Throwable cause) {
        abortedBatches++;
        batch.coach.open = null;
        settle(batch, CommitEvent.Outcome.ABORTED, null, cause, 0);
    }

    private void cancel(Batch batch, Throwable cause) {
        cancelledBatches++;
        batch.coach.open = null;
        settle(batch, CommitEvent.Outcome.CANCELLED, null, cause, 0);
    }

    private void settle(Batch batch, CommitEvent.Outcome outcome, R result, Throwable cause, long nanos) {
        batch.result = result;
        batch.cause = cause;
        returning.addAndGet(batch.waiters); // before the outcome: a waiter that reads it counts itself down
        batch.outcome = outcome;
        if (batch.end != null) {
            if (toComplete == null) {
                toComplete = new ArrayList<>();
            }
            toComplete.add(batch.end);
        }
        if (!batch.sleepers.isEmpty()) { // no waiter lists itself once the outcome is set: the list is final
            if (toWake == null) {
                toWake = new ArrayList<>(2);
            }
            toWake.add(batch);
        }
        changed.signalAll();
        if (events.hasListeners()) {
            events.emit(new CommitEvent(name, batch.coach.index, outcome, batch.contributors, Duration.ofNanos(nanos),
                    cause));
        }
        checkDrained();
    }

    /**
     * Wakes the waiters after a change that may have made a batch committable, and commits a committable batch that
     * has nobody left waiting on it (its contributors all stopped waiting) on this thread.
     */
    private void progress() {
        wake();
        if (lock.getHoldCount() != 1) {
            return; // called back from inside a contribution: a waiter or the next caller commits it
        }
        for (Coach coach : coaches) {
            Batch open = coach.open;
            if (open != null && open.waiters == 0 && committable(open)) {
                commit(open);
            }
        }
    }

    /**
     * Under the lock: wakes the callers at the entrance and {@link #close(Duration)}, and one parked waiter of each
     * open batch that is committable now, which then commits it (or, if it stops waiting instead, wakes another).
     */
    private void wake() {
        changed.signalAll();
        for (Coach coach : coaches) {
            Batch open = coach.open;
            if (open != null && !open.sleepers.isEmpty() && committable(open)) {
                LockSupport.unpark(open.sleepers.get(open.sleepers.size() - 1));
            }
        }
    }

    /** A caller announced and not entering: the batches stop waiting for it. */
    private void leaveQueue() {
        if (--announced == 0) {
            progress();
        }
    }

    private void checkDrained() {
        if (!closed || drained) {
            return;
        }
        for (Coach coach : coaches) {
            if (coach.open != null || coach.committing != null) {
                return;
            }
        }
        drained = true;
        events.closeAfter(new CommitEvent(name, -1, CommitEvent.Outcome.CLOSED, 0, Duration.ZERO, null));
        changed.signalAll();
    }

    private boolean awaitChange(boolean timed, long deadline) throws InterruptedException {
        if (!timed) {
            changed.await();
            return true;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        changed.awaitNanos(left);
        return true;
    }

    /**
     * Unlocks, then unparks the waiters of the batches settled meanwhile and completes the flush futures: their
     * continuations never run under the lock.
     */
    private void release() {
        List<CompletableFuture<Void>> done = toComplete;
        List<Batch> settled = toWake;
        toComplete = null;
        toWake = null;
        lock.unlock();
        if (settled != null) {
            for (Batch batch : settled) {
                batch.wakeSome(null);
            }
        }
        if (done != null) {
            for (CompletableFuture<Void> end : done) {
                end.complete(null);
            }
        }
    }

    private void checkNotInside(String call) {
        if (lock.isHeldByCurrentThread()) {
            throw new IllegalStateException(call + "() on Coordinator '" + name + "' from inside a contribution: "
                    + "a contribution runs under the coordinator's lock and cannot wait for a batch");
        }
    }

    @SuppressWarnings("unchecked")
    private R cast(Object outcome) {
        return (R) outcome;
    }

    private Attempt<R> attempt(Object outcome) {
        return outcome == REFUSED ? Attempt.refusedAttempt() : new Attempt<>(false, cast(outcome));
    }

    /** One of the parallel batches (nikandfor's coach). */
    private final class Coach {
        final int index;
        /** The batch callers enter, or {@code null} until the next caller opens one. */
        Batch open;
        /** The batch being committed, or {@code null}; while set, callers of this coach wait at the entrance. */
        Batch committing;

        Coach(int index) {
            this.index = index;
        }
    }

    /** One batch: its state, its contributors and, once ended, its outcome. */
    private final class Batch {
        final Coach coach;
        final S state;
        int contributors;
        int waiters;
        /** The waiters parked (or about to park) on it; none is added once it has an outcome. */
        final List<Thread> sleepers = new ArrayList<>(4);
        /** The next of {@link #sleepers} to unpark once it has an outcome ({@link #wakeSome}). */
        final AtomicInteger nextToWake = new AtomicInteger();
        boolean triggered;
        /** Written last when it settles, under the lock; read without it by the parked waiters. */
        volatile CommitEvent.Outcome outcome;
        R result;
        Throwable cause;
        CompletableFuture<Void> end;

        Batch(Coach coach, S state) {
            this.coach = coach;
            this.state = state;
        }

        /**
         * Once it has an outcome (so {@link #sleepers} is final): unparks the next {@value #WAKE_FAN_OUT} sleepers
         * not yet unparked. The settling thread calls it, and so does every listed waiter that picks up the outcome,
         * so the wake-ups spread as a tree over the cores instead of one thread unparking every waiter in turn.
         *
         * @param self the calling waiter, never unparked by itself, or {@code null}
         */
        void wakeSome(Thread self) {
            List<Thread> list = sleepers;
            int size = list.size();
            int woken = 0;
            while (woken < WAKE_FAN_OUT) {
                int next = nextToWake.getAndIncrement();
                if (next >= size) {
                    return;
                }
                Thread waiter = list.get(next);
                if (waiter != self) {
                    LockSupport.unpark(waiter);
                    woken++;
                }
            }
        }

        CompletableFuture<Void> end() {
            if (end == null) {
                end = new CompletableFuture<>();
            }
            return end;
        }
    }
}
