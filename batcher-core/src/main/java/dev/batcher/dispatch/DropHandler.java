package dev.batcher.dispatch;

import java.util.List;

/**
 * Told about every item that will not be sent (luci's {@code DropFn}).
 *
 * <p>Called outside the dispatcher's locks, from the thread that made the decision (a producer, a sender or the
 * timer thread). Keep it quick. A handler that throws is logged and ignored; it never stops the dispatcher.
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
