package dev.batcher.kernel;

/**
 * How an idle thread of the kernel (the ring's watcher, the callbacks thread) waits for work before it parks: it
 * spins {@value #SPINS_BEFORE_YIELD} times, then yields between looks, for {@value #WAIT_NANOS} ns in all (Agrona's
 * {@code BackoffIdleStrategy}, the JCTools pipeline's consumer).
 *
 * <p>A few microseconds of spinning catch a steady stream; after that, a thread that stays on its core takes it from
 * a producer on a machine with few cores, so it yields. Under a steady stream it then rarely parks, so producers and
 * senders rarely pay a wake-up (a system call, and on a small machine a context switch that delays whoever was
 * preempted); an idle engine still parks every thread. Measured on 2 cores against spinning for 20 us, in interleaved
 * runs: saturated {@code enqueue} p99.9 1.5-9.3 us against 19-36 us ({@code LatencyBench}); the README's benchmark
 * section has the whole record.
 *
 * <p>Use: {@code for (int step = 1; !foundWork(); step++) if (!IdleWait.pause(step, start)) park();}
 */
final class IdleWait {

    /** How long an idle thread waits for work, spinning then yielding, before it parks. */
    static final long WAIT_NANOS = 100_000;

    /** Busy spins before an idle thread yields in each later step of its wait. */
    static final int SPINS_BEFORE_YIELD = 64;

    private IdleWait() {
    }

    /**
     * Whether {@link #pause} spins at this step rather than yields: a caller that looks at a line other threads write
     * (a flag, a status) can leave it alone while it spins and look only between yields.
     *
     * @param step as for {@link #pause}
     * @return whether the step is one of the first {@value #SPINS_BEFORE_YIELD}
     */
    static boolean spinning(int step) {
        return step <= SPINS_BEFORE_YIELD;
    }

    /**
     * One step of the wait, after a look that found no work: a spin for the first {@value #SPINS_BEFORE_YIELD} steps,
     * then a yield, until {@value #WAIT_NANOS} ns have passed since {@code startNanos}.
     *
     * @param step 1 after the first look that found nothing, then 2, 3...
     * @param startNanos {@link System#nanoTime()} when the wait began
     * @return {@code false} when the wait is over and the caller should park (without pausing first)
     */
    static boolean pause(int step, long startNanos) {
        if (spinning(step)) {
            Thread.onSpinWait();
            return true;
        }
        if (System.nanoTime() - startNanos > WAIT_NANOS) {
            return false;
        }
        Thread.yield(); // leave the core to a producer (it may be the one to publish) or to another kernel thread
        return true;
    }
}
