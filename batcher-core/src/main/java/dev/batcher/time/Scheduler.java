package dev.batcher.time;

/**
 * An engine's clock and timer: batch age, retry back-off, rate-limit waits, send timeouts and heartbeats all
 * go through it. The default runs one daemon timer thread per engine on {@link System#nanoTime()}; tests can
 * pass a scheduler whose time they advance by hand, making age and back-off behaviour deterministic.
 */
public interface Scheduler {

    /**
     * The default scheduler: {@link System#nanoTime()} and one daemon timer thread, idle when nothing is due. Its
     * tasks must only change engine state; engines never run user code on it.
     *
     * @param threadName the timer thread's name
     * @return a new scheduler, to be {@link #shutdown()} by its owner
     */
    static Scheduler system(String threadName) {
        return new SystemScheduler(threadName);
    }

    /** The current time in nanoseconds, on an arbitrary origin, like {@link System#nanoTime()}. */
    long nanoTime();

    /**
     * Runs a task once after a delay.
     *
     * @param task what to run; it must not block
     * @param delayNanos how long from now, 0 or less for as soon as possible
     * @return a handle to cancel the task
     */
    Cancellable schedule(Runnable task, long delayNanos);

    /** Releases the scheduler's thread, if it owns one. Scheduled tasks are discarded. */
    void shutdown();

    /** A scheduled task that can be cancelled. */
    @FunctionalInterface
    interface Cancellable {

        /** Cancels the task if it has not run yet. */
        void cancel();
    }
}
