package dev.batcher.time;

import java.time.Duration;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link Scheduler} whose clock only moves when a test calls {@link #advance(Duration)}: due tasks then run on the
 * test's thread, in time order. Makes age, back-off, rate and timeout behaviour deterministic and instant. Shared by
 * the tests of every engine.
 */
public final class ManualScheduler implements Scheduler {

    private record Task(long due, long seq, Runnable action) {
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.due != b.due
            ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private long now = 1_000_000_000L;
    private long seq;
    private final List<Runnable> beforeAdvance = new CopyOnWriteArrayList<>();

    /**
     * Runs {@code hook} at the start of every {@link #advance}: the test fixture moves items from each engine's
     * lock-free intake into batches there, so that a batch opened by items submitted before the advance has its age
     * timer armed, as it would on a real clock.
     */
    public void beforeAdvance(Runnable hook) {
        beforeAdvance.add(hook);
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Runnable action, long delayNanos) {
        Task task = new Task(now + Math.max(0, delayNanos), seq++, action);
        tasks.add(task);
        return () -> {
            synchronized (this) {
                tasks.remove(task);
            }
        };
    }

    @Override
    public void shutdown() {
    }

    /** Moves the clock forward, running every task that falls due, each at its own time. */
    public void advance(Duration duration) {
        beforeAdvance.forEach(Runnable::run);
        long target;
        synchronized (this) {
            target = now + duration.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due > target) {
                    now = target;
                    return;
                }
                tasks.poll();
                now = Math.max(now, next.due);
            }
            next.action.run();
        }
    }

    /** Runs the tasks due now. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** How many tasks are scheduled and not yet run. */
    public synchronized int pending() {
        return tasks.size();
    }
}
