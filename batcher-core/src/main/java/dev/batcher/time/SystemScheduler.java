package dev.batcher.time;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The default {@link Scheduler}: {@link System#nanoTime()} and one daemon timer thread, idle when nothing is due. */
final class SystemScheduler implements Scheduler {

    private final ScheduledThreadPoolExecutor executor;

    SystemScheduler(String threadName) {
        executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        try {
            ScheduledFuture<?> future = executor.schedule(task, Math.max(0L, delayNanos), TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        }
        catch (RejectedExecutionException ex) {
            // Shut down after the drain: nothing is left that a timer could act on.
            return () -> { };
        }
    }

    @Override
    public void shutdown() {
        executor.shutdownNow();
    }
}
