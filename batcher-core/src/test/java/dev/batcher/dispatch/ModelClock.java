package dev.batcher.dispatch;

import dev.batcher.modelcheck.ModelCheck;
import dev.batcher.time.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Scheduler} for model checking: time stands still until the scenario's timer thread calls
 * {@link #fireNext()}, which jumps the clock to the earliest task and runs it. The model checker decides when that
 * thread runs, so every timer (lease expiry, retry back-off, age cut) fires at every possible point relative to the
 * other threads, with no real timed wait anywhere. Tasks due after the horizon never fire: a scenario switches a
 * timer off by setting its delay beyond it.
 */
final class ModelClock implements Scheduler {

    private record Task(long due, long seq, Runnable action) {
    }

    /** The name of the scenario's timer thread. */
    static final String TIMER_THREAD = "model-clock";

    private static final long START = 1_000_000_000L;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.due != b.due
            ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private final long horizon;
    private long now = START;
    private long seq;
    private boolean stopped;

    /** @param horizon tasks due later than this from the start never fire */
    ModelClock(Duration horizon) {
        this.horizon = START + horizon.toNanos();
    }

    @Override
    public long nanoTime() {
        lock.lock();
        try {
            return now;
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public Cancellable schedule(Runnable action, long delayNanos) {
        lock.lock();
        try {
            Task task = new Task(now + Math.max(0, delayNanos), seq++, action);
            tasks.add(task);
            changed.signalAll();
            return () -> {
                lock.lock();
                try {
                    tasks.remove(task);
                }
                finally {
                    lock.unlock();
                }
            };
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void shutdown() {
    }

    /**
     * Waits until a task within the horizon is scheduled, moves the clock to its due time and runs it.
     *
     * @return {@code false} once {@link #stop()} was called
     */
    boolean fireNext() {
        Task next;
        lock.lock();
        try {
            while (!stopped && (tasks.isEmpty() || tasks.peek().due > horizon)) {
                changed.awaitUninterruptibly();
            }
            if (stopped) {
                return false;
            }
            next = tasks.poll();
            now = Math.max(now, next.due);
        }
        finally {
            lock.unlock();
        }
        next.action.run();
        return true;
    }

    /** Ends {@link #fireNext()} for good; the timer thread returns. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            changed.signalAll();
        }
        finally {
            lock.unlock();
        }
    }

    /** Starts the scenario's timer thread: it fires due tasks until {@link #stop()}. */
    Thread startTimerThread() {
        return ModelCheck.fork(TIMER_THREAD, () -> {
            while (fireNext()) {
                // each task fires at a point the model checker picks
            }
        });
    }
}
