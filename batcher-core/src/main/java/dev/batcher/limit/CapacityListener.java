package dev.batcher.limit;

/** Observes a {@link CapacityLimiter}. */
@FunctionalInterface
public interface CapacityListener {

    /**
     * A limiter event happened.
     *
     * @param event what happened
     */
    void onEvent(CapacityEvent event);
}
