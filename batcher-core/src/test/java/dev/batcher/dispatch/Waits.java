package dev.batcher.dispatch;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How the user code in the kernel tests waits: a sink that ignores interrupts (a JDBC call, a plain socket read),
 * and a slow handler or continuation. Every wait has a bound, a safety net so that a failing test cannot leave a
 * thread behind for ever; the tests never rely on the bound being reached.
 */
final class Waits {

    private Waits() {
    }

    /**
     * Waits for the latch like code that does not respond to interruption: an interrupt does not end the wait.
     *
     * @return whether the thread was interrupted while it waited (the flag is left cleared, as such code does)
     */
    static boolean ignoringInterrupts(CountDownLatch latch, Duration bound) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            try {
                latch.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                return interrupted;
            }
            catch (InterruptedException ex) {
                interrupted = true;
            }
        }
    }

    /** Waits for the latch at most {@code bound}; an interrupt ends the wait and is kept. */
    static boolean quietly(CountDownLatch latch, Duration bound) {
        try {
            return latch.await(bound.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Counts the threads inside a sink at once and remembers the most ever seen. */
    static final class Occupancy {

        private final AtomicInteger inside = new AtomicInteger();
        private final AtomicInteger most = new AtomicInteger();

        void enter() {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
        }

        void leave() {
            inside.decrementAndGet();
        }

        int most() {
            return most.get();
        }

        int now() {
            return inside.get();
        }
    }
}
