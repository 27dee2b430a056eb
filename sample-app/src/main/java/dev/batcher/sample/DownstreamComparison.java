package dev.batcher.sample;

import dev.batcher.cost.Batcher;
import dev.batcher.spring.WatcherHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * Sends the same writes to the downstream API two ways and counts what happened: {@link #direct directly}, one
 * request per write from several threads as fast as they can (a 429 loses the write, as for a client without the
 * batcher), and {@link #throughBatcher through cost batcher} {@code downstream}, which paces the batches to its
 * capacity.
 */
@Component
public class DownstreamComparison {

    private final WatcherHandle<DownstreamWrite> writes;

    private final DownstreamClient client;

    /**
     * Creates the comparison.
     *
     * @param writes the handle of watcher {@code writes} of batcher {@code downstream}
     * @param client the HTTP client and watcher
     */
    public DownstreamComparison(@Qualifier("writes") WatcherHandle<DownstreamWrite> writes, DownstreamClient client) {
        this.writes = writes;
        this.client = client;
    }

    /**
     * {@code count} writes with costs 1, 2, ..., {@code maxCost}, 1, 2, ...
     *
     * @param count how many
     * @param maxCost the highest cost
     * @return the writes
     */
    public static List<DownstreamWrite> writes(int count, int maxCost) {
        List<DownstreamWrite> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(new DownstreamWrite("w" + i, 1 + i % maxCost));
        }
        return list;
    }

    /** The batcher the writes go through. */
    public Batcher batcher() {
        return writes.batcher();
    }

    /**
     * Sends each write in its own request from {@code threads} threads, as fast as they can; a write refused with 429
     * is not sent again.
     *
     * @param list the writes
     * @param threads how many threads send
     * @return what happened
     * @throws InterruptedException when interrupted
     */
    public Run direct(List<DownstreamWrite> list, int threads) throws InterruptedException {
        LongAdder requests = new LongAdder();
        LongAdder throttled = new LongAdder();
        LongAdder done = new LongAdder();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger names = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "demo-direct-" + names.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        long start = System.nanoTime();
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(senders.submit(() -> {
                    for (int i = next.getAndIncrement(); i < list.size(); i = next.getAndIncrement()) {
                        requests.increment();
                        if (client.send(List.of(list.get(i)))) {
                            done.increment();
                        }
                        else {
                            throttled.increment();
                        }
                    }
                }));
            }
            for (Future<?> result : results) {
                result.get();
            }
        }
        catch (ExecutionException e) {
            throw new IllegalStateException("A direct call to the downstream API failed: " + e.getCause(), e.getCause());
        }
        finally {
            senders.shutdownNow();
        }
        return new Run(list.size(), requests.sum(), throttled.sum(), done.sum(), System.nanoTime() - start);
    }

    /**
     * Enqueues every write into batcher {@code downstream} with its cost and waits until each was written or dropped.
     *
     * @param list the writes
     * @param timeout how long to wait
     * @return what happened
     * @throws InterruptedException when interrupted
     * @throws TimeoutException when the writes are not all done within {@code timeout}
     */
    public Run throughBatcher(List<DownstreamWrite> list, Duration timeout)
            throws InterruptedException, TimeoutException {
        DownstreamClient.Counts before = client.watcherCounts();
        long start = System.nanoTime();
        for (DownstreamWrite write : list) {
            writes.enqueue(write.cost(), write);
        }
        try {
            writes.batcher().flush().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (ExecutionException e) {
            throw new IllegalStateException("Batcher 'downstream' failed to flush: " + e.getCause(), e.getCause());
        }
        long nanos = System.nanoTime() - start;
        DownstreamClient.Counts after = client.watcherCounts();
        return new Run(list.size(), after.requests() - before.requests(), after.throttled() - before.throttled(),
                after.written() - before.written(), nanos);
    }

    /**
     * What one way of sending did.
     *
     * @param operations the writes it was given
     * @param requests the requests it made
     * @param throttled the 429s it received
     * @param done the writes the API stored
     * @param nanos how long it took
     */
    public record Run(int operations, long requests, long throttled, long done, long nanos) {
    }
}
