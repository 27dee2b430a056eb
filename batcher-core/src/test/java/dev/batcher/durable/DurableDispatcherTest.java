package dev.batcher.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.batcher.BufferFullException;
import dev.batcher.DropReason;
import dev.batcher.FullBehavior;
import dev.batcher.Ordering;
import dev.batcher.PermanentSendException;
import dev.batcher.dispatch.BatchSender;
import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherConfig;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Dispatcher with a durable buffer: what was accepted and not sent (a drain cut short, a stop, a killed process)
 * is replayed, in order, by the next dispatcher on the same directory; what was sent or dropped for good is not.
 */
class DurableDispatcherTest {

    /** Longs as 8 bytes. */
    static final ItemCodec<Long> LONGS = new ItemCodec<>() {
        @Override
        public byte[] encode(Long item) {
            return ByteBuffer.allocate(Long.BYTES).putLong(item).array();
        }

        @Override
        public Long decode(byte[] bytes) {
            return ByteBuffer.wrap(bytes).getLong();
        }
    };

    @TempDir
    Path directory;

    /**
     * The log of the kill test: small segments (about 2,700 items each), so that segments fill, are reclaimed and
     * recycled while the child runs, and the restart reads a directory with recycled segments in it.
     */
    static DurableLogOptions killOptions(Path directory, FsyncPolicy fsync) {
        return DurableLogOptions.of(directory).withFsync(fsync).withSegmentBytes(64 * 1024);
    }

    private DispatcherConfig.Builder<Long> fifo() {
        return DispatcherConfig.<Long>builder().ordering(Ordering.FIFO).maxBatchItems(100)
                .maxBatchAge(Duration.ofMillis(5)).bufferMaxItems(1_000)
                .durableBuffer(DurableLogOptions.of(directory), LONGS);
    }

    @Test
    void whatAStopLeftIsReplayedInOrderByTheNextDispatcher() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Dispatcher<Long> first = Dispatcher.create("first", fifo().build(), batch -> never.await());
        LongStream.range(0, 500).forEach(first::enqueue);
        first.shutdownNow();
        assertThat(first.stats().dropped(DropReason.CANCELLED)).isEqualTo(500);

        Recorder second = new Recorder();
        Dispatcher<Long> replaying = Dispatcher.create("second", fifo().build(), second);
        await().untilAsserted(() -> assertThat(second.items).hasSize(500));
        assertThat(second.items).containsExactlyElementsOf(LongStream.range(0, 500).boxed().toList());
        assertThat(replaying.close(Duration.ofSeconds(10))).isTrue();
        assertThat(replaying.stats().replayedItems()).isEqualTo(500);
        assertThat(replaying.stats().submitted()).isEqualTo(500);
        assertThat(replaying.stats().isBalanced()).isTrue();

        Recorder third = new Recorder();
        Dispatcher<Long> after = Dispatcher.create("third", fifo().build(), third);
        assertThat(after.close(Duration.ofSeconds(10))).isTrue();
        assertThat(after.stats().replayedItems()).isZero();
        assertThat(third.items).isEmpty();
        assertThat(after.stats().durable().records()).isZero();
    }

    @Test
    void aReplayedItemKeepsItsDurableIdSoASinkCanDeduplicate() throws Exception {
        Map<Long, Long> idsBefore = new java.util.concurrent.ConcurrentHashMap<>();
        CountDownLatch never = new CountDownLatch(1);
        Dispatcher<Long> first = Dispatcher.create("first", fifo().build(), batch -> {
            long[] ids = batch.durableIds();
            for (int i = 0; i < batch.size(); i++) {
                idsBefore.put(batch.items().get(i), ids[i]);
            }
            never.await(); // "stored", but the process dies before the batch is acknowledged
        });
        LongStream.range(0, 50).forEach(first::enqueue);
        await().until(() -> !idsBefore.isEmpty());
        first.shutdownNow();

        Map<Long, Long> idsAfter = new java.util.concurrent.ConcurrentHashMap<>();
        Dispatcher<Long> second = Dispatcher.create("second", fifo().build(), batch -> {
            long[] ids = batch.durableIds();
            for (int i = 0; i < batch.size(); i++) {
                idsAfter.put(batch.items().get(i), ids[i]);
            }
        });
        assertThat(second.close(Duration.ofSeconds(10))).isTrue();
        assertThat(idsAfter).hasSize(50);
        assertThat(idsAfter).containsAllEntriesOf(idsBefore);
        assertThat(new java.util.HashSet<>(idsAfter.values())).hasSize(50);
        Dispatcher<Long> inMemory = Dispatcher.create("memory", DispatcherConfig.<Long>builder().build(),
                batch -> assertThat(batch.durableIds()).isEmpty());
        inMemory.enqueue(1L);
        assertThat(inMemory.close(Duration.ofSeconds(10))).isTrue();
        assertThat(inMemory.stats().sent()).isEqualTo(1);
    }

    @Test
    void sentItemsAndItemsDroppedForGoodAreNotReplayed() {
        Recorder recorder = new Recorder();
        Dispatcher<Long> sending = Dispatcher.create("sent", fifo().build(), recorder);
        LongStream.range(0, 300).forEach(sending::enqueue);
        assertThat(sending.close(Duration.ofSeconds(10))).isTrue();
        assertThat(recorder.items).hasSize(300);

        Dispatcher<Long> failing = Dispatcher.create("failing", fifo().build(), batch -> {
            throw new PermanentSendException("refused for good");
        });
        LongStream.range(300, 400).forEach(failing::enqueue);
        assertThat(failing.close(Duration.ofSeconds(10))).isTrue();
        assertThat(failing.stats().dropped(DropReason.NOT_RETRYABLE)).isEqualTo(100);

        Recorder next = new Recorder();
        Dispatcher<Long> after = Dispatcher.create("after", fifo().build(), next);
        assertThat(after.close(Duration.ofSeconds(10))).isTrue();
        assertThat(next.items).isEmpty();
        assertThat(after.stats().replayedItems()).isZero();
    }

    @Test
    void newItemsWaitForTheReplaySoThatReplayedItemsGoFirst() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Dispatcher<Long> first = Dispatcher.create("first", fifo().build(), batch -> never.await());
        LongStream.range(0, 200).forEach(first::enqueue);
        first.shutdownNow();

        Recorder recorder = new Recorder();
        Dispatcher<Long> second = Dispatcher.create("second", fifo().build(), recorder);
        LongStream.range(1_000, 1_010).forEach(second::enqueue);
        assertThat(second.close(Duration.ofSeconds(10))).isTrue();
        List<Long> expected = new ArrayList<>(LongStream.range(0, 200).boxed().toList());
        expected.addAll(LongStream.range(1_000, 1_010).boxed().toList());
        assertThat(recorder.items).containsExactlyElementsOf(expected);
    }

    @Test
    void aSecondDispatcherOnADirectoryInUseIsRefused() {
        Dispatcher<Long> first = Dispatcher.create("first", fifo().build(), new Recorder());
        try {
            assertThatThrownBy(() -> Dispatcher.create("second", fifo().build(), new Recorder()))
                    .isInstanceOf(DurableLogLockedException.class)
                    .hasMessageContaining(directory.toString());
        }
        finally {
            first.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void aFullDiskRefusesItemsWithTheFullBehaviour() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        DispatcherConfig<Long> config = fifo().bufferMaxItems(100_000).fullBehavior(FullBehavior.REJECT)
                .durableBuffer(DurableLogOptions.of(directory).withSegmentBytes(DurableLogOptions.MIN_SEGMENT_BYTES)
                        .withMaxBytes(2 * DurableLogOptions.MIN_SEGMENT_BYTES), LONGS)
                .build();
        Dispatcher<Long> dispatcher = Dispatcher.create("full", config, batch -> release.await());
        long accepted = 0;
        try {
            for (long i = 0; i < 100_000; i++) {
                dispatcher.enqueue(i);
                accepted++;
            }
        }
        catch (BufferFullException expected) {
            assertThat(expected).hasMessageContaining("buffer.full-behavior is reject");
        }
        assertThat(accepted).isLessThan(100_000);
        assertThat(dispatcher.stats().dropped(DropReason.BUFFER_FULL)).isEqualTo(1);
        release.countDown();
        assertThat(dispatcher.close(Duration.ofSeconds(10))).isTrue();
        assertThat(dispatcher.stats().sent()).isEqualTo(accepted);
    }

    @ParameterizedTest
    @EnumSource(FsyncPolicy.class)
    void aKilledProcessLosesNoAcceptedItem(FsyncPolicy fsync) throws Exception {
        List<String> lines;
        Path output = Files.createTempFile("durable-child-", ".txt");
        try (ChildProcess child = ChildProcess.start(DurableDispatcherChild.class, directory.toString(),
                fsync.name(), output.toString())) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Files.readAllLines(output).stream().filter(line -> line.startsWith("ACCEPTED"))
                            .count() >= 30);
            child.kill();
            lines = Files.readAllLines(output); // every line the child printed before it died
        }
        finally {
            output.toFile().deleteOnExit();
        }
        long lastAccepted = lines.stream().filter(line -> line.startsWith("ACCEPTED "))
                .mapToLong(line -> Long.parseLong(line.substring(9))).max().orElseThrow();
        BitSet sentBefore = new BitSet();
        lines.stream().filter(line -> line.startsWith("SENT ")).forEach(line -> {
            String[] range = line.split(" ");
            sentBefore.set(Integer.parseInt(range[1]), Integer.parseInt(range[2]) + 1);
        });

        Recorder recorder = new Recorder();
        Dispatcher<Long> restarted = Dispatcher.create("restarted", fifo()
                .durableBuffer(killOptions(directory, fsync), LONGS).build(), recorder);
        assertThat(restarted.close(Duration.ofSeconds(30))).isTrue();
        BitSet replayed = new BitSet();
        recorder.items.forEach(item -> replayed.set(item.intValue()));
        BitSet droppedBefore = new BitSet();
        lines.stream().filter(line -> line.startsWith("DROPPED ")).forEach(line ->
                droppedBefore.set(Integer.parseInt(line.split(" ")[1])));
        BitSet delivered = (BitSet) sentBefore.clone();
        delivered.or(replayed);
        delivered.or(droppedBefore); // an outcome too: reported to the drop handler, so never replayed
        assertThat(delivered.nextClearBit(0)).as("every accepted item (0..%d) sent before the kill or replayed; "
                + "sent before: %s; dropped before: %s; replayed: %d items from %d to %d; child's other lines: %s",
                lastAccepted, summary(sentBefore), summary(droppedBefore), replayed.cardinality(),
                replayed.nextSetBit(0), replayed.length() - 1, lines.stream().filter(line ->
                        !line.startsWith("SENT ") && !line.startsWith("ACCEPTED ") && !line.startsWith("DROPPED "))
                        .limit(20).toList())
                .isGreaterThan((int) lastAccepted);
        BitSet duplicates = (BitSet) sentBefore.clone();
        duplicates.and(replayed);
        assertThat(recorder.items).isSorted();
        System.out.printf("kill -9 with fsync %s: %d accepted, %d sent before the kill, %d replayed, %d duplicates%n",
                fsync, lastAccepted + 1, sentBefore.cardinality(), replayed.cardinality(), duplicates.cardinality());
    }

    private static String summary(BitSet bits) {
        StringBuilder ranges = new StringBuilder();
        int from = bits.nextSetBit(0);
        while (from >= 0) {
            int to = bits.nextClearBit(from);
            ranges.append(from).append("..").append(to - 1).append(' ');
            from = bits.nextSetBit(to);
        }
        return ranges.toString().trim();
    }

    @Test
    void anAgeCutDoesNotWaitForAProducerStillWritingItsItemToTheLog() throws Exception {
        // A producer takes its place in the intake ring, then writes the item to the log (here: encodes it, which
        // stalls). The age cut that falls meanwhile sends what was already there instead of waiting, under the
        // kernel's lock, for that producer to finish.
        CountDownLatch encoding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ItemCodec<Long> stallingOn99 = new ItemCodec<>() {
            @Override
            public byte[] encode(Long item) {
                if (item == 99L) {
                    encoding.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return LONGS.encode(item);
            }

            @Override
            public Long decode(byte[] bytes) {
                return LONGS.decode(bytes);
            }
        };
        Recorder recorder = new Recorder();
        Dispatcher<Long> dispatcher = Dispatcher.create("age", DispatcherConfig.<Long>builder().maxBatchItems(1_000)
                .maxBatchAge(Duration.ofMillis(50)).durableBuffer(DurableLogOptions.of(directory), stallingOn99)
                .build(), recorder);
        Thread stalled = new Thread(() -> dispatcher.enqueue(99L), "stalled-producer");
        try {
            dispatcher.enqueue(1L);
            dispatcher.enqueue(2L);
            stalled.start();
            assertThat(encoding.await(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(recorder.items).containsExactly(1L, 2L));
        } finally {
            release.countDown();
        }
        stalled.join(10_000);
        await().untilAsserted(() -> assertThat(recorder.items).containsExactly(1L, 2L, 99L));
        assertThat(dispatcher.close(Duration.ofSeconds(10))).isTrue();
    }

    /** Records sent items in order. */
    static final class Recorder implements BatchSender<Long> {

        final List<Long> items = Collections.synchronizedList(new CopyOnWriteArrayList<>());

        @Override
        public void send(dev.batcher.Batch<Long> batch) {
            items.addAll(batch.items());
        }
    }
}
