package dev.batcher.bench;

import java.util.ArrayList;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The practical limit: an {@link ArrayBlockingQueue} and one consumer thread that takes the first item, then fills
 * the batch with {@code drainTo} up to 100 items, waiting at most 10 ms after the first item.
 */
final class AbqDrainToPipeline implements Pipeline {

    private final CountingSink sink = new CountingSink();
    private final ArrayBlockingQueue<Long> queue = new ArrayBlockingQueue<>(BUFFER_ITEMS);
    private final Thread consumer;
    private volatile boolean running = true;

    AbqDrainToPipeline() {
        consumer = new Thread(this::consume, "abq-drainTo-consumer");
        consumer.setDaemon(true);
        consumer.start();
    }

    ArrayBlockingQueue<Long> queue() {
        return queue;
    }

    private void consume() {
        ArrayList<Long> batch = new ArrayList<>(BATCH_ITEMS);
        long ageNanos = TimeUnit.MILLISECONDS.toNanos(BATCH_AGE_MS);
        try {
            while (running || !queue.isEmpty()) {
                Long first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + ageNanos;
                while (batch.size() < BATCH_ITEMS) {
                    if (queue.drainTo(batch, BATCH_ITEMS - batch.size()) == 0) {
                        long left = deadline - System.nanoTime();
                        Long next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
                        if (next == null) {
                            break;
                        }
                        batch.add(next);
                    }
                }
                sink.accept(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Object put(Long item) throws InterruptedException {
        queue.put(item);
        return null;
    }

    @Override
    public CountingSink sink() {
        return sink;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.join(30_000);
    }
}
