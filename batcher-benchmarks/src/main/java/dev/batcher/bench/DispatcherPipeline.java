package dev.batcher.bench;

import dev.batcher.FullBehavior;
import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherConfig;
import dev.batcher.dispatch.DispatcherStats;
import dev.batcher.durable.DurableLogOptions;
import dev.batcher.durable.FsyncPolicy;
import dev.batcher.durable.ItemCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The Dispatcher: fire-and-forget ({@code enqueue}) or with a future per item ({@code submit}), with its buffer in
 * memory or durable ({@code buffer.durable.fsync} always or interval, 10 ms).
 */
final class DispatcherPipeline implements Pipeline {

    /** tmpfs for {@code buffer.durable.staging-directory}: /dev/shm, or property {@code bench.durable.staging}. */
    static final Path STAGING = Path.of(System.getProperty("bench.durable.staging", "/dev/shm"));

    /** {@code max-concurrent-sends}; the peers have one consumer, the sink is trivial. */
    static final int MAX_CONCURRENT_SENDS = Integer.getInteger("bench.dispatcher.maxConcurrentSends", 1);

    private final CountingSink sink = new CountingSink();
    private final Dispatcher<Long> dispatcher;
    private final boolean futures;
    private Path durableDirectory;

    /**
     * Longs as 8 big-endian bytes, for the durable buffer: one 8-byte array per item and nothing else (a
     * {@code ByteBuffer.allocate(8).putLong(item).array()} also allocated the buffer object, whose allocation took half
     * of the producer's CPU samples in JFR).
     */
    static final ItemCodec<Long> LONGS = new ItemCodec<>() {
        @Override
        public byte[] encode(Long item) {
            long v = item;
            byte[] bytes = new byte[Long.BYTES];
            for (int i = Long.BYTES - 1; i >= 0; i--) {
                bytes[i] = (byte) v;
                v >>>= 8;
            }
            return bytes;
        }

        @Override
        public Long decode(byte[] bytes) {
            return ByteBuffer.wrap(bytes).getLong();
        }
    };

    DispatcherPipeline(boolean futures) {
        this("bench-dispatcher", futures);
    }

    DispatcherPipeline(String name, boolean futures) {
        this(name, futures, null, null);
    }

    /**
     * A Dispatcher with a durable buffer in a temporary directory (deleted by {@link #close()}), or in memory.
     *
     * @param name the dispatcher name
     * @param futures {@code submit} (a future per item) rather than {@code enqueue}
     * @param fsync the durable buffer's policy, or {@code null} for the buffer in memory only
     * @param staging {@code buffer.durable.staging-directory} (tmpfs, where appends are written first and copied to
     *     the temporary directory by the flusher), or {@code null} for none
     */
    DispatcherPipeline(String name, boolean futures, FsyncPolicy fsync, Path staging) {
        this.futures = futures;
        DispatcherConfig.Builder<Long> builder = DispatcherConfig.<Long>builder();
        if (fsync != null) {
            try {
                this.durableDirectory = Files.createTempDirectory("bench-durable-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            builder.durableBuffer(DurableLogOptions.of(durableDirectory).withFsync(fsync).withStaging(staging), LONGS);
        }
        DispatcherConfig<Long> config = builder
                .maxBatchItems(BATCH_ITEMS)
                .maxBatchAge(Duration.ofMillis(BATCH_AGE_MS))
                .maxConcurrentSends(MAX_CONCURRENT_SENDS)
                .bufferMaxItems(BUFFER_ITEMS)
                .fullBehavior(FullBehavior.BLOCK)
                .blockTimeout(Duration.ofMinutes(5))
                .build();
        this.dispatcher = Dispatcher.create(name, config, batch -> sink.accept(batch.items()));
    }

    Dispatcher<Long> dispatcher() {
        return dispatcher;
    }

    @Override
    public Object put(Long item) {
        if (futures) {
            return dispatcher.submit(item);
        }
        dispatcher.enqueue(item);
        return null;
    }

    @Override
    public CountingSink sink() {
        return sink;
    }

    @Override
    public void close() {
        boolean drained = dispatcher.close(Duration.ofSeconds(30));
        try {
            DispatcherStats s = dispatcher.stats();
            System.out.printf("[dispatcher] drained=%s balanced=%s submitted=%,d sent=%,d dropped=%,d batches=%,d%n",
                    drained, s.isBalanced(), s.submitted(), s.sent(), s.dropped(), s.sentBatches());
            if (s.durable() != null) {
                System.out.printf("[dispatcher] durable: fsyncs=%,d mean fsync=%.2f ms appended=%,d%n",
                        s.durable().fsyncs(), s.durable().fsyncs() == 0 ? 0.0
                                : s.durable().fsyncNanosTotal() / 1e6 / s.durable().fsyncs(), s.durable().appended());
            }
        } catch (RuntimeException e) {
            System.out.println("[dispatcher] stats unavailable: " + e);
        }
        if (durableDirectory != null) {
            try (Stream<Path> files = Files.walk(durableDirectory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                System.out.println("[dispatcher] could not delete " + durableDirectory + ": " + e);
            }
        }
    }
}
