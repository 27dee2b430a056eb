package dev.batcher;

import java.util.List;

/**
 * Told about every item that will not be sent (luci's {@code DropFn}).
 *
 * <p>Called on the engine's callback thread ({@code batcher-<name>-callbacks}), outside every lock, in the order the
 * drops were decided, never on a producer, sender or timer thread. A slow handler delays other callbacks (futures,
 * other drops), not sends. A handler that throws is logged and ignored; it never stops the engine.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface DropHandler<T> {

    /**
     * Called when items are dropped.
     *
     * @param items the dropped items, in submission order, never empty
     * @param reason why they were dropped
     * @param cause the last send failure for {@link DropReason#RETRIES_EXHAUSTED} and {@link DropReason#NOT_RETRYABLE},
     *     otherwise {@code null}
     */
    void onDrop(List<T> items, DropReason reason, Throwable cause);
}
