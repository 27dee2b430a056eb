package dev.batcher.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Items queued by concurrent threads and written to Redis in batches, with one batch on its way at a time: what queues
 * while a batch is on its way goes in the next one, sent when that one is answered. So the busier the callers, the
 * more items share a round trip, and a lone item goes out at once. Whoever finds no batch on its way sends. The task
 * broker's publishes, reports and acknowledgements each go through one.
 *
 * @param <E> a queued item
 */
final class CoalescedWrites<E> {

    private final ConcurrentLinkedQueue<E> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final int maxItems;
    private final long maxBytes;
    private final ToLongFunction<E> bytes;
    private final Function<List<E>, CompletionStage<?>> write;

    /**
     * @param maxItems the most items in one batch
     * @param maxBytes a batch ends with the item that brings it to this many bytes
     * @param bytes an item's size
     * @param write sends one batch and completes (or fails) its items itself; it must not throw, and its stage
     *     completes once Redis answered (the next batch is sent then)
     */
    CoalescedWrites(int maxItems, long maxBytes, ToLongFunction<E> bytes, Function<List<E>, CompletionStage<?>> write) {
        this.maxItems = maxItems;
        this.maxBytes = maxBytes;
        this.bytes = bytes;
        this.write = write;
    }

    /** Queues an item and sends, unless a batch is on its way (whose answer then sends this one). */
    void add(E item) {
        queue(item);
        send();
    }

    /** Queues an item for the next {@link #send}. */
    void queue(E item) {
        queue.add(item);
    }

    /** Sends what is queued, unless a batch is on its way. */
    void send() {
        while (!queue.isEmpty() && writing.compareAndSet(false, true)) {
            List<E> batch = new ArrayList<>();
            long size = 0;
            for (E next = queue.poll(); next != null; next = queue.poll()) {
                batch.add(next);
                size += bytes.applyAsLong(next);
                if (batch.size() >= maxItems || size >= maxBytes) {
                    break;
                }
            }
            if (batch.isEmpty()) { // another thread took them between the check and the poll
                writing.set(false);
                continue;
            }
            write.apply(batch).whenComplete((ignored, error) -> {
                writing.set(false);
                send();
            });
            return;
        }
    }
}
