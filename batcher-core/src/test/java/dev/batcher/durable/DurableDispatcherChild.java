package dev.batcher.durable;

import dev.batcher.Ordering;
import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The second JVM of {@link DurableDispatcherTest}: a FIFO dispatcher with a durable buffer and a slow sink, fed by one
 * producer as fast as it accepts. It prints {@code SENT first last} after each batch is sent and
 * {@code ACCEPTED n} after every 100th accepted item (every item up to {@code n} was accepted: {@code enqueue}
 * returned), until it is killed.
 */
public final class DurableDispatcherChild {

    private DurableDispatcherChild() {
    }

    /**
     * Runs until killed.
     *
     * @param args the directory, and {@code always} or {@code interval}
     */
    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        FsyncPolicy fsync = FsyncPolicy.valueOf(args[1].toUpperCase(java.util.Locale.ROOT));
        Dispatcher<Long> dispatcher = Dispatcher.create("child", DispatcherConfig.<Long>builder()
                .ordering(Ordering.FIFO).maxBatchItems(100).maxBatchAge(Duration.ofMillis(5)).bufferMaxItems(5_000)
                .durableBuffer(DurableDispatcherTest.killOptions(directory, fsync), DurableDispatcherTest.LONGS)
                .build(), batch -> {
                    List<Long> items = batch.items();
                    Thread.sleep(2);
                    synchronized (System.out) {
                        System.out.println("SENT " + items.get(0) + " " + items.get(items.size() - 1));
                        System.out.flush();
                    }
                });
        for (long i = 0; ; i++) {
            dispatcher.enqueue(i);
            if (i % 100 == 99) {
                synchronized (System.out) {
                    System.out.println("ACCEPTED " + i);
                    System.out.flush();
                }
            }
        }
    }
}
