package dev.batcher.cost;

/**
 * Observes a {@link Batcher}'s events (go-batcher's {@code AddListener}).
 *
 * <p>Called on the batcher's own event thread ({@code batcher-<name>-events}), in the order the events happened,
 * never on a producer, sender or timer thread. A listener that throws is logged and the next one is called; one too
 * slow to keep up loses events (at most 4,096 wait) rather than slowing the batcher.
 */
@FunctionalInterface
public interface BatcherListener {

    /**
     * An event happened.
     *
     * @param event what happened
     */
    void onEvent(BatcherEvent event);
}
