package dev.batcher.durable;

import dev.batcher.Ordering;
import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherConfig;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
     * @param args the directory, {@code always} or {@code interval}, and the file the lines go to: each line is one
     *     {@code write} to the file, so it is in the page cache, and readable after a kill -9, once printed (a pipe to
     *     the parent could still be read short)
     */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(args[2], true), true, StandardCharsets.UTF_8);
        Path directory = Path.of(args[0]);
        FsyncPolicy fsync = FsyncPolicy.valueOf(args[1].toUpperCase(java.util.Locale.ROOT));
        Dispatcher<Long> dispatcher = Dispatcher.create("child", DispatcherConfig.<Long>builder()
                .ordering(Ordering.FIFO).maxBatchItems(100).maxBatchAge(Duration.ofMillis(5)).bufferMaxItems(5_000)
                .durableBuffer(DurableDispatcherTest.killOptions(directory, fsync), DurableDispatcherTest.LONGS)
                .dropHandler((items, reason, cause) -> {
                    synchronized (out) { // dropped for good, with a reason: acknowledged, not replayed
                        for (Long item : items) {
                            out.println("DROPPED " + item + " " + reason);
                        }
                        out.flush();
                    }
                })
                .build(), batch -> {
                    List<Long> items = batch.items();
                    Thread.sleep(2);
                    synchronized (out) {
                        out.println("SENT " + items.get(0) + " " + items.get(items.size() - 1));
                        out.flush();
                    }
                });
        for (long i = 0; ; i++) {
            dispatcher.enqueue(i);
            if (i % 100 == 99) {
                synchronized (out) {
                    out.println("ACCEPTED " + i);
                    out.flush();
                }
            }
        }
    }
}
