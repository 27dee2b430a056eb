package dev.batcher.dispatch;

import static dev.batcher.modelcheck.ModelCheck.fork;
import static dev.batcher.modelcheck.ModelCheck.join;

import dev.batcher.DropReason;
import dev.batcher.Ordering;
import dev.batcher.durable.CapturedWarnings;
import dev.batcher.durable.DurableLog;
import dev.batcher.durable.DurableLogOptions;
import dev.batcher.durable.FsyncPolicy;
import dev.batcher.durable.ItemCodec;
import dev.batcher.modelcheck.ModelCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The durable buffer's append, acknowledgement and replay paths under Fray's scheduler (see
 * {@link DispatcherModelCheckTest} for the harness): after each interleaving, the log on disk must hold exactly the
 * items the dispatcher dropped because it stopped (to be replayed), nothing it sent, refused or dropped for good; and
 * replayed items must reach the sink before an item submitted during the replay.
 */
class DurableModelCheckTest {

    private static final Duration NEVER = Duration.ofHours(1);
    private static final Duration HORIZON = Duration.ofMinutes(1);
    private static final Duration DRAIN = Duration.ofSeconds(2);

    private static final ItemCodec<Integer> INTS = new ItemCodec<>() {
        @Override
        public byte[] encode(Integer item) {
            return ByteBuffer.allocate(Integer.BYTES).putInt(item).array();
        }

        @Override
        public Integer decode(byte[] bytes) {
            return ByteBuffer.wrap(bytes).getInt();
        }
    };

    @Test
    void submitRacingCloseLeavesNothingInTheLog() {
        ModelCheck.explore("durable submit against close", () -> inTempDirectory(directory -> {
            OutcomeLedger ledger = new OutcomeLedger(2);
            Dispatcher<Integer> dispatcher = Dispatcher.create("durable-close",
                    config(ledger, directory).maxConcurrentSends(2).build(), ledger.sink(batch -> { }));
            Thread first = fork("producer-1", () -> ledger.submit(dispatcher, 1));
            Thread second = fork("producer-2", () -> ledger.submit(dispatcher, 2));
            ledger.close(dispatcher, DRAIN);
            join(first, second);
            ledger.verify(dispatcher);
            expectLeftInLog(directory, dispatcher);
        }));
    }

    @Test
    void shutdownNowKeepsExactlyWhatItDropped() {
        ModelCheck.explore("durable shutdownNow against sends", () -> inTempDirectory(directory -> {
            OutcomeLedger ledger = new OutcomeLedger(1);
            CountDownLatch release = new CountDownLatch(1);
            Dispatcher<Integer> dispatcher = Dispatcher.create("durable-stop",
                    config(ledger, directory).maxConcurrentSends(1).build(), ledger.sink(batch -> release.await()));
            Thread first = fork("producer-1", () -> ledger.submit(dispatcher, 1));
            Thread second = fork("producer-2", () -> ledger.submit(dispatcher, 2));
            Thread releaser = fork("releaser", release::countDown);
            dispatcher.shutdownNow();
            join(first, second, releaser);
            ledger.close(dispatcher, DRAIN);
            ledger.verify(dispatcher);
            expectLeftInLog(directory, dispatcher);
        }));
    }

    @Test
    void replayedItemsGoBeforeAnItemSubmittedDuringTheReplay() {
        ModelCheck.explore("replay against a new submit", () -> inTempDirectory(directory -> {
            try (DurableLog log = DurableLog.open(options(directory))) {
                log.append(INTS.encode(1));
                log.append(INTS.encode(2));
            }
            List<Integer> sent = new CopyOnWriteArrayList<>();
            Dispatcher<Integer> dispatcher = Dispatcher.create("durable-replay", DispatcherConfig.<Integer>builder()
                    .ordering(Ordering.FIFO).maxBatchItems(1).maxBatchAge(NEVER).sendTimeout(NEVER)
                    .blockTimeout(NEVER).scheduler(new ModelClock(HORIZON))
                    .durableBuffer(options(directory), INTS).build(), batch -> sent.addAll(batch.items()));
            Thread producer = fork("producer", () -> dispatcher.enqueue(3));
            join(producer);
            if (!dispatcher.close(DRAIN)) {
                throw new AssertionError("the dispatcher did not drain: " + dispatcher.stats());
            }
            if (!sent.equals(List.of(1, 2, 3))) {
                throw new AssertionError("replayed items must go first, in order; sent " + sent);
            }
            if (dispatcher.stats().replayedItems() != 2 || !dispatcher.stats().isBalanced()) {
                throw new AssertionError("replayed items are counted as submitted: " + dispatcher.stats());
            }
            expectLeftInLog(directory, dispatcher);
        }));
    }

    @Test
    void aReclaimedSegmentIsReusedOnlyOnceItIsInPlace() {
        // Two records of 1,500 bytes fill a 4 KiB segment. The acker's acknowledgement reclaims the first segment
        // (moved aside for reuse) while the appender, rolling onto new segments, may pick it up: preparing or rolling
        // onto it must never find its file missing (that failed the append, or logged a warning and created a fresh
        // segment on the appender's thread).
        ModelCheck.explore("durable reclaim against roll", () -> inTempDirectory(directory -> {
            CapturedWarnings warnings = CapturedWarnings.of(DurableLog.class);
            try (DurableLog log = DurableLog.open(options(directory))) {
                byte[] item = new byte[1_500];
                long first = log.append(item);
                long second = log.append(item);
                log.append(item); // rolls: the first segment is sealed
                Thread acker = fork("acker", () -> log.ack(first, second));
                Thread appender = fork("appender", () -> {
                    for (int i = 0; i < 4; i++) {
                        log.append(item);
                    }
                });
                join(acker, appender);
                if (log.stats().records() != 5) {
                    throw new AssertionError("5 records are not acknowledged: " + log.stats());
                }
            }
            finally {
                warnings.close();
            }
            if (!warnings.messages().isEmpty()) {
                throw new AssertionError("the log warned: " + warnings.messages());
            }
        }));
    }

    private static DispatcherConfig.Builder<Integer> config(OutcomeLedger ledger, Path directory) {
        return DispatcherConfig.<Integer>builder()
                .maxBatchItems(1)
                .maxBatchAge(NEVER)
                .sendTimeout(NEVER)
                .retry(1, Duration.ofMillis(1), 2.0, Duration.ofMillis(2))
                .scheduler(new ModelClock(HORIZON))
                .dropHandler(ledger.dropHandler())
                .drainedCallback(ledger.drainedCallback())
                .durableBuffer(options(directory), INTS);
    }

    private static DurableLogOptions options(Path directory) {
        return DurableLogOptions.of(directory).withFsync(FsyncPolicy.INTERVAL)
                .withSegmentBytes(DurableLogOptions.MIN_SEGMENT_BYTES);
    }

    /** The log holds exactly the items dropped because the dispatcher stopped: those are replayed next time. */
    private static void expectLeftInLog(Path directory, Dispatcher<Integer> dispatcher) {
        DispatcherStats stats = dispatcher.stats();
        long kept = stats.dropped(DropReason.SHUTDOWN) + stats.dropped(DropReason.CANCELLED);
        List<Integer> left = new ArrayList<>();
        try (DurableLog log = DurableLog.open(options(directory))) {
            log.replay((position, bytes) -> left.add(INTS.decode(bytes)));
        }
        if (left.size() != kept) {
            throw new AssertionError("the log holds " + left + " but the dispatcher dropped " + kept
                    + " item(s) on stopping (only those stay): " + stats);
        }
    }

    private interface InDirectory {
        void run(Path directory) throws Exception;
    }

    private static void inTempDirectory(InDirectory body) {
        Path directory;
        try {
            directory = Files.createTempDirectory("durable-model-check");
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        try {
            body.run(directory);
        }
        catch (RuntimeException | Error ex) {
            throw ex;
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
        finally {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
            catch (IOException ex) {
                // best effort
            }
        }
    }
}
