package dev.batcher.limit;

/**
 * Admits sends by cost: a rate limiter, a capacity limiter, or a lease on capacity shared with other instances.
 * Engines ask before every send and, when refused, wait the returned time on their scheduler (never by sleeping
 * a thread) before asking again.
 */
@FunctionalInterface
public interface SendGate {

    /** A gate that admits everything at once. */
    SendGate OPEN = cost -> 0L;

    /**
     * Tries to take {@code cost} permits.
     *
     * @param cost the permits needed, at least 1
     * @return 0 when the permits were taken; otherwise how many nanoseconds to wait before asking again
     */
    long tryAcquire(long cost);
}
