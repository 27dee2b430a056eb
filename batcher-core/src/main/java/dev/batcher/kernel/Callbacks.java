package dev.batcher.kernel;

import java.lang.System.Logger.Level;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one thread per engine that runs user code about outcomes: completing futures (and so their continuations),
 * drop handlers, listeners, decisions on timed-out attempts, flush barriers and the drained callback. It keeps user
 * code off producers, sender loops and the timer, and runs settlements in the order the kernel counted them, so the
 * drained notice, posted last, runs after every outcome is settled.
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
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
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
        tasks.add(items == 0 ? task : () -> {
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
        tasks.add(() -> {
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
        tasks.add(() -> {
            stopped = true;
            last.run();
        });
        tasks.add(STOP);
    }

    private void run() {
        while (true) {
            Runnable task;
            try {
                task = tasks.take();
            }
            catch (InterruptedException ex) {
                continue;
            }
            if (task == STOP) {
                drainLate();
                return;
            }
            runNow(task);
        }
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
