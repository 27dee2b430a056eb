package dev.batcher.kernel;

import java.lang.System.Logger.Level;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread per engine that runs user code about outcomes: completing futures (and so their continuations),
 * drop handlers, listeners, decisions on timed-out attempts, flush barriers and the drained callback. It keeps user
 * code off producers, sender loops and the timer, and runs settlements in the order the kernel counted them, so the
 * drained notice, posted last, runs after every outcome is settled.
 *
 * <p>Hand-off: a lock-free queue. The thread looks for more work for {@value IdleWait#WAIT_NANOS} ns (spinning, then
 * yielding) before it parks, and whoever queues a task wakes it only if it announced that it parks: under a steady
 * stream of batches the sender never pays a wake-up (with a blocking queue, every batch's settlement woke this thread,
 * which then took the sender's core).
 *
 * <p>Settlements are never dropped. Listener events are: at most {@value #MAX_PENDING_EVENTS} wait at once, and a
 * listener too slow for that loses events (counted, logged once) rather than slowing the engine. A throwing task is
 * logged and the thread goes on.
 */
final class Callbacks {

    private static final System.Logger LOG = System.getLogger(Callbacks.class.getName());
    static final int MAX_PENDING_EVENTS = 65_536;
    private static final Runnable STOP = () -> { };

    private final String engineName;

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Set by the thread before it looks at the queue one last time and parks; whoever queues a task then wakes it. */
    private volatile boolean parked;
    private final AtomicInteger pendingEvents = new AtomicInteger();
    private final AtomicLong lostEvents = new AtomicLong();
    /** Items whose settlement is queued and has not run yet. */
    private final AtomicLong backlogItems = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;

    Callbacks(String engineName, KernelThreads threads) {
        this.engineName = engineName;
        this.thread = threads.start("callbacks", this::run);
    }

    /** Queues a settlement of {@code items} items; runs in order, never dropped. */
    void settle(int items, Runnable task) {
        if (stopped) {
            runNow(task);
            return;
        }
        backlogItems.addAndGet(items);
        enqueue(items == 0 ? task : () -> {
            try {
                task.run();
            }
            finally {
                backlogItems.addAndGet(-items);
            }
        });
    }

    /** Queues a listener event; dropped (and counted) when too many are waiting or the engine is done. */
    void event(Runnable task) {
        if (stopped || pendingEvents.incrementAndGet() > MAX_PENDING_EVENTS) {
            if (!stopped) {
                pendingEvents.decrementAndGet();
            }
            if (lostEvents.getAndIncrement() == 0) {
                LOG.log(Level.WARNING, engineName + ": a listener is too slow; events are being dropped");
            }
            return;
        }
        enqueue(() -> {
            pendingEvents.decrementAndGet();
            task.run();
        });
    }

    /** Items whose settlement has not run yet. */
    long backlogItems() {
        return backlogItems.get();
    }

    /** Whether the current thread is the callback thread. */
    boolean isCallbackThread() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code last} after everything queued so far, then ends the thread. */
    void stopAfter(Runnable last) {
        enqueue(() -> {
            stopped = true;
            last.run();
        });
        enqueue(STOP);
    }

    private void enqueue(Runnable task) {
        tasks.add(task);
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (true) {
            Runnable task = tasks.poll();
            if (task == null) {
                task = awaitTask();
            }
            if (task == STOP) {
                drainLate();
                return;
            }
            runNow(task);
        }
    }

    /** Looks for a task as {@link IdleWait} says (spins, then yields), then parks until one is queued. */
    private Runnable awaitTask() {
        long start = System.nanoTime();
        Runnable task;
        for (int step = 1; (task = tasks.poll()) == null; step++) {
            if (!IdleWait.pause(step, start)) {
                parked = true;
                while ((task = tasks.poll()) == null) {
                    LockSupport.park(this);
                    Thread.interrupted(); // nobody should interrupt this thread; if someone does, it goes on
                }
                parked = false;
                return task;
            }
        }
        return task;
    }

    /** Runs tasks queued between the stop and the end of the thread. */
    private void drainLate() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            if (task != STOP) {
                runNow(task);
            }
        }
    }

    private void runNow(Runnable task) {
        try {
            task.run();
        }
        catch (Throwable ex) {
            LOG.log(Level.ERROR, engineName + ": a callback failed", ex);
        }
        finally {
            Thread.interrupted();
        }
    }
}
