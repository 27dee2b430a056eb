package dev.batcher.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableLogTest {

    @TempDir
    Path dir;

    private DurableLogOptions options() {
        return DurableLogOptions.of(dir).withSegmentBytes(4096);
    }

    private static byte[] item(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private record Replayed(long position, String item) {
    }

    private static List<Replayed> replay(DurableLog log) {
        List<Replayed> out = new ArrayList<>();
        log.replay((position, item) -> out.add(new Replayed(position, new String(item, StandardCharsets.UTF_8))));
        return out;
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".seg")).sorted().toList();
        }
    }

    private long bytesInDirectory() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        }
    }

    @Test
    void segmentsReclaimedWhileTheAppenderRollsAreReusedWithoutAHitch() throws Exception {
        // The appender checks for a reclaimed segment on every append once the active one is half full, and the
        // acker reclaims segments all along: a reclaimed segment announced before its file was moved into place was
        // picked up too early, and preparing it (warning, then a fresh segment made on the appender's thread) or
        // rolling onto it (the append failed) found no file.
        CapturedWarnings warnings = CapturedWarnings.of(DurableLog.class);
        int records = 100_000;
        java.util.concurrent.BlockingQueue<long[]> toAck = new java.util.concurrent.LinkedBlockingQueue<>();
        try (DurableLog log = DurableLog.open(options())) {
            CompletableFuture<Void> acker = CompletableFuture.runAsync(() -> {
                try {
                    for (int acked = 0; acked < records; ) {
                        long[] batch = toAck.take();
                        log.ack(batch);
                        acked += batch.length;
                    }
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            byte[] item = new byte[8];
            long[] batch = new long[50];
            for (int i = 0; i < records; i++) {
                batch[i % batch.length] = log.append(item);
                if (i % batch.length == batch.length - 1) {
                    toAck.add(batch.clone());
                }
            }
            assertThat(acker).succeedsWithin(Duration.ofSeconds(60));
            assertThat(log.stats().records()).isZero();
        }
        finally {
            warnings.close();
        }
        assertThat(warnings.messages()).isEmpty();
    }

    @Test
    void recordsAppendedPastTheAppendWindowAreAllKeptWhetherTheyStraddleItsEndOrNot() {
        // A sync of MOVE_WINDOW_BYTES or more moves the append window to the append offset; appends that then pass
        // WINDOW_BYTES (no sync in between) map the next window themselves, and one record straddles its end.
        DurableLogOptions big = DurableLogOptions.of(dir).withSegmentBytes(16L << 20)
                .withFsyncInterval(Duration.ofHours(1));
        int records = (DurableLog.WINDOW_BYTES + (2 << 20)) / 1000;
        List<Long> positions = new ArrayList<>();
        byte[] first = new byte[DurableLog.MOVE_WINDOW_BYTES];
        Arrays.fill(first, (byte) 7);
        try (DurableLog log = DurableLog.open(big)) {
            positions.add(log.append(first));
            log.awaitDurable(positions.get(0)); // the sync moves the window to the end of the first record
            for (int i = 0; i < records; i++) {
                byte[] bytes = new byte[992];
                Arrays.fill(bytes, (byte) i);
                System.arraycopy(item(String.format("%08d", i)), 0, bytes, 0, 8);
                positions.add(log.append(bytes));
            }
        }
        try (DurableLog log = DurableLog.open(big)) {
            List<Long> replayedPositions = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            log.replay((position, bytes) -> {
                int index = replayedPositions.size() - 1;
                replayedPositions.add(position);
                if (index < 0) {
                    if (!Arrays.equals(bytes, first)) {
                        problems.add("the first record");
                    }
                } else {
                    byte[] expected = new byte[992];
                    Arrays.fill(expected, (byte) index);
                    System.arraycopy(item(String.format("%08d", index)), 0, expected, 0, 8);
                    if (!Arrays.equals(bytes, expected)) {
                        problems.add("record " + index + " at position " + position);
                    }
                }
            });
            assertThat(replayedPositions).isEqualTo(positions);
            assertThat(problems).isEmpty();
        }
    }

    @Test
    void appendsRacingTheFlusherThatMovesTheirWindowAndFaultsItsPagesInAreKeptByteForByte() throws Exception {
        // Every fsync (each 5 ms here, forcing more than MOVE_WINDOW_BYTES) maps a new window at the append offset
        // while appenders write, then faults in the pages ahead of them with a compare-and-set that must not change
        // a byte they wrote.
        DurableLogOptions fast = DurableLogOptions.of(dir).withSegmentBytes(8L << 20)
                .withFsyncInterval(Duration.ofMillis(5));
        int perThread = 60_000;
        List<List<Long>> positions = List.of(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
        try (DurableLog log = DurableLog.open(fast)) {
            List<CompletableFuture<Void>> appenders = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int thread = t;
                appenders.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perThread; i++) {
                        positions.get(thread).add(log.append(patterned(thread, i)));
                    }
                }));
            }
            assertThat(CompletableFuture.allOf(appenders.toArray(CompletableFuture[]::new)))
                    .succeedsWithin(Duration.ofSeconds(60));
            assertThat(log.stats().fsyncs()).isGreaterThan(5);
        }
        java.util.Map<Long, String> expected = new java.util.HashMap<>();
        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < perThread; i++) {
                expected.put(positions.get(t).get(i), t + ":" + i);
            }
        }
        List<String> problems = new ArrayList<>();
        try (DurableLog log = DurableLog.open(fast)) {
            log.replay((position, bytes) -> {
                String[] id = expected.remove(position).split(":");
                if (!Arrays.equals(bytes, patterned(Integer.parseInt(id[0]), Integer.parseInt(id[1])))) {
                    problems.add("position " + position);
                }
            });
        }
        assertThat(problems).isEmpty();
        assertThat(expected.size()).as("records not replayed, the first of them at positions %s",
                expected.keySet().stream().sorted().limit(5).toList()).isZero();
    }

    /** An item whose length (16-527 bytes) and every byte depend on who appended it and when. */
    private static byte[] patterned(int thread, int index) {
        byte[] bytes = new byte[16 + (index * 37 + thread * 101) % 512];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (1 + (i + index + thread) % 250);
        }
        return bytes;
    }

    @Test
    void reopenReplaysWhatWasNotAcknowledgedInAppendOrderWithPositions() {
        List<Long> positions = new ArrayList<>();
        try (DurableLog log = DurableLog.open(options())) {
            assertThat(replay(log)).isEmpty();
            for (int i = 0; i < 200; i++) {
                positions.add(log.append(item("item-" + i)));
            }
            assertThat(positions).isSorted().doesNotHaveDuplicates();
            log.ack(positions.get(0), positions.get(5), positions.get(199));
        }
        try (DurableLog log = DurableLog.open(options())) {
            List<Replayed> replayed = replay(log);
            assertThat(replayed).hasSize(197);
            assertThat(replayed).extracting(Replayed::position).isSorted()
                    .doesNotContain(positions.get(0), positions.get(5), positions.get(199));
            assertThat(replayed.get(0)).isEqualTo(new Replayed(positions.get(1), "item-1"));
            assertThat(replayed.get(196)).isEqualTo(new Replayed(positions.get(198), "item-198"));
            assertThat(log.stats().replayed()).isEqualTo(197);
            assertThat(log.stats().records()).isEqualTo(197);

            long next = log.append(item("after-reopen"));
            assertThat(next).as("positions keep growing across a reopen").isGreaterThan(positions.get(199));
            assertThat(replay(log)).as("replay covers what was on disk at the open").hasSize(197);
        }
    }

    @Test
    void acknowledgementsInAnyOrderAreKeptAcrossAReopen() {
        List<Long> positions = new ArrayList<>();
        List<Long> kept = new ArrayList<>();
        try (DurableLog log = DurableLog.open(options())) {
            for (int i = 0; i < 500; i++) {
                positions.add(log.append(item("item-" + i)));
            }
            List<Long> shuffled = new ArrayList<>(positions);
            Collections.shuffle(shuffled, new Random(7));
            List<Long> acked = shuffled.subList(0, 400);
            // Batches settle out of order: acknowledge in chunks of 25 in shuffled order.
            for (int i = 0; i < acked.size(); i += 25) {
                assertThat(log.ack(acked.subList(i, i + 25).stream().mapToLong(Long::longValue).toArray()))
                        .isEqualTo(25);
            }
            assertThat(log.ack(acked.get(0))).as("a second ack of a position changes nothing").isZero();
            kept.addAll(shuffled.subList(400, 500));
            Collections.sort(kept);
            assertThat(log.stats().records()).isEqualTo(100);
            assertThat(log.oldestUnacknowledged(3)).containsExactly(kept.get(0), kept.get(1), kept.get(2));
        }
        try (DurableLog log = DurableLog.open(options())) {
            assertThat(replay(log)).extracting(Replayed::position).containsExactlyElementsOf(kept);
        }
    }

    @Test
    void fullyAcknowledgedSegmentsAreDeletedSoDiskUseStaysBoundedUnderASteadyLoad() throws IOException {
        long maxBytes = 0;
        try (DurableLog log = DurableLog.open(options())) {
            List<Long> inFlight = new ArrayList<>();
            Random random = new Random(11);
            for (int i = 0; i < 20_000; i++) {
                inFlight.add(log.append(item("steady-" + i + "-" + "x".repeat(60))));
                if (inFlight.size() == 64) {
                    // settle the batch out of order, as parallel sends do
                    Collections.shuffle(inFlight, random);
                    log.ack(inFlight.stream().mapToLong(Long::longValue).toArray());
                    inFlight.clear();
                }
                if (i % 500 == 0) {
                    maxBytes = Math.max(maxBytes, bytesInDirectory());
                }
            }
            assertThat(log.stats().appended()).isEqualTo(20_000);
            // 20,000 records of ~90 bytes are ~2 MB: without reclaim the directory would hold all of it.
            assertThat(maxBytes).as("bytes in the directory at the worst moment").isLessThan(5 * 4096);
            assertThat(log.stats().segments()).isLessThanOrEqualTo(3);
            assertThat(log.stats().bytesOnDisk()).isLessThan(5 * 4096);
        }
        try (DurableLog log = DurableLog.open(options())) {
            assertThat(replay(log)).hasSize(20_000 % 64);
        }
    }

    @Test
    void aFileCutInTheMiddleOfARecordIsTruncatedReportedAndTheRecordsBeforeItReplayed() throws IOException {
        try (DurableLog log = DurableLog.open(options())) {
            for (int i = 0; i < 20; i++) {
                log.append(item("item-" + i));
            }
        }
        Path segment = segmentFiles().get(0);
        long size = Files.size(segment);
        // Each record is 8 bytes of header + 6 or 7 bytes; cut the last record (item-19, 15 bytes) in two.
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.setLength(size - 10);
        }
        List<TruncatedTail> reported = new CopyOnWriteArrayList<>();
        DurableLogListener listener = new DurableLogListener() {
            @Override
            public void onTruncated(TruncatedTail tail) {
                reported.add(tail);
            }
        };
        try (DurableLog log = DurableLog.open(options(), listener)) {
            assertThat(reported).hasSize(1);
            TruncatedTail tail = reported.get(0);
            assertThat(tail.file()).isEqualTo(segment.toRealPath());
            assertThat(tail.recordsKept()).isEqualTo(19);
            assertThat(tail.offset()).isEqualTo(size - 15);
            assertThat(tail.bytesDropped()).isEqualTo(5);
            assertThat(tail.reason()).contains("cut off");
            assertThat(log.truncations()).containsExactly(tail);
            assertThat(log.stats().truncatedTails()).isEqualTo(1);
            assertThat(replay(log)).extracting(Replayed::item)
                    .containsExactlyElementsOf(Stream.iterate(0, i -> i + 1).limit(19).map(i -> "item-" + i).toList());
        }
        try (DurableLog log = DurableLog.open(options())) {
            assertThat(log.truncations()).as("the truncation is done once").isEmpty();
            assertThat(replay(log)).hasSize(19);
        }
    }

    @Test
    void aFlippedByteFailsTheChecksumAndCutsTheLogBeforeThatRecord() throws IOException {
        try (DurableLog log = DurableLog.open(options())) {
            for (int i = 0; i < 30; i++) {
                log.append(item(String.format("item-%02d", i))); // 7 bytes: 15-byte records
            }
        }
        Path segment = segmentFiles().get(0);
        long record10 = 16 + 10 * 15;
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.seek(record10 + 8 + 3); // a byte of item-10's payload
            int b = file.read();
            file.seek(record10 + 8 + 3);
            file.write(b ^ 0x01);
        }
        try (DurableLog log = DurableLog.open(options())) {
            assertThat(log.truncations()).singleElement().satisfies(tail -> {
                assertThat(tail.reason()).isEqualTo("checksum mismatch");
                assertThat(tail.offset()).isEqualTo(record10);
                assertThat(tail.recordsKept()).isEqualTo(10);
            });
            assertThat(replay(log)).extracting(Replayed::item)
                    .containsExactlyElementsOf(Stream.iterate(0, i -> i + 1).limit(10)
                            .map(i -> String.format("item-%02d", i)).toList());
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryInThisProcessIsRefusedUntilTheFirstIsClosed() throws IOException {
        DurableLog first = DurableLog.open(options());
        try {
            assertThatExceptionOfType(DurableLogLockedException.class)
                    .isThrownBy(() -> DurableLog.open(options()))
                    .withMessageContaining(dir.toRealPath().toString())
                    .withMessageContaining("held by this process")
                    .withMessageContaining("buffer.durable.directory")
                    .withMessageContaining("give this one a directory of its own");
            first.append(item("still-usable"));
        } finally {
            first.close();
        }
        try (DurableLog again = DurableLog.open(options())) {
            assertThat(replay(again)).extracting(Replayed::item).containsExactly("still-usable");
        }
    }

    @Test
    void underFsyncAlwaysAnAppendReturnsDurableAndConcurrentAppendersShareFsyncs() throws Exception {
        try (DurableLog log = DurableLog.open(options().withFsync(FsyncPolicy.ALWAYS))) {
            long position = log.append(item("one"));
            assertThat(log.durablePosition()).isGreaterThanOrEqualTo(position);
            assertThat(log.whenDurable(position)).isCompletedWithValueMatching(p -> p >= position);
            assertThat(log.stats().fsyncs()).isPositive();

            List<CompletableFuture<Void>> appenders = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                appenders.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 250; i++) {
                        long p = log.append(item("t" + thread + "-" + i));
                        assertThat(log.durablePosition()).isGreaterThanOrEqualTo(p);
                    }
                }));
            }
            CompletableFuture.allOf(appenders.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            DurableLogStats stats = log.stats();
            assertThat(stats.appended()).isEqualTo(1001);
            assertThat(stats.fsyncs()).isBetween(1L, 1001L);
            assertThat(stats.fsyncNanosMax()).isPositive().isLessThanOrEqualTo(stats.fsyncNanosTotal());
        }
        try (DurableLog log = DurableLog.open(options())) {
            assertThat(replay(log)).hasSize(1001);
        }
    }

    @Test
    void underFsyncIntervalTheFlusherMakesAppendsDurableWithinAboutAnInterval() {
        try (DurableLog log = DurableLog.open(options().withFsyncInterval(Duration.ofMillis(20)))) {
            long position = log.appendAll(List.of(item("a"), item("b"), item("c")));
            assertThat(log.stats().nextPosition()).isEqualTo(position + 3);
            CompletableFuture<Long> durable = log.whenDurable(position + 2);
            await().atMost(Duration.ofSeconds(5)).until(durable::isDone);
            assertThat(durable).isCompletedWithValueMatching(p -> p >= position + 2);
            assertThat(log.durablePosition()).isGreaterThanOrEqualTo(position + 2);
            assertThat(log.stats().fsyncs()).isPositive();

            long more = log.append(item("d"));
            log.awaitDurable(more);
            assertThat(log.durablePosition()).isGreaterThanOrEqualTo(more);
        }
    }

    /**
     * With a staging directory, an acknowledgement can reclaim a sealed segment (closing its disk file) while a sync is
     * copying the segment's last bytes into that file: the sync must take the segment as done, not fail. Real threads,
     * many small segments; Fray cannot explore this one (a channel's close waits for a thread inside its write).
     */
    @Test
    void stagedSegmentsReclaimedWhileSyncsCopyThemLoseNothingAndLeaveNothingStaged(@TempDir Path staging)
            throws Exception {
        DurableLogOptions staged = options().withStaging(staging);
        List<Long> kept = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (CapturedWarnings warnings = CapturedWarnings.of(DurableLog.class)) {
            try (DurableLog log = DurableLog.open(staged)) {
                LinkedBlockingQueue<Long> toAck = new LinkedBlockingQueue<>();
                AtomicLong last = new AtomicLong(log.append(item("first")));
                kept.add(last.get());
                AtomicBoolean appending = new AtomicBoolean(true);
                Thread acker = new Thread(() -> {
                    try {
                        while (appending.get() || !toAck.isEmpty()) {
                            Long position = toAck.poll(1, TimeUnit.MILLISECONDS);
                            if (position != null) {
                                log.ack(position);
                            }
                        }
                    }
                    catch (Throwable ex) {
                        failures.add(ex);
                    }
                }, "acker");
                Thread syncer = new Thread(() -> {
                    try {
                        while (appending.get()) {
                            log.awaitDurable(last.get());
                        }
                    }
                    catch (Throwable ex) {
                        failures.add(ex);
                    }
                }, "syncer");
                acker.start();
                syncer.start();
                for (int i = 0; i < 20_000; i++) {
                    long position = log.append(item("item-" + i));
                    if (i % 1_000 == 999) {
                        kept.add(position);
                    }
                    else {
                        toAck.add(position);
                    }
                    last.set(position);
                }
                appending.set(false);
                acker.join(30_000);
                syncer.join(30_000);
                assertThat(failures).isEmpty();
            }
            assertThat(warnings.messages()).isEmpty();
        }
        try (Stream<Path> left = Files.walk(staging)) {
            assertThat(left.filter(Files::isRegularFile)).as("staged files after a clean close").isEmpty();
        }
        try (DurableLog log = DurableLog.open(staged)) {
            assertThat(replay(log)).extracting(Replayed::position).containsExactlyElementsOf(kept);
        }
    }

    @Test
    void aReclaimedSegmentIsReusedAndItsOldRecordsAreNeverReplayed() {
        DurableLogOptions small = options().withSegmentBytes(4096);
        long lastKept;
        try (DurableLog log = DurableLog.open(small)) {
            for (int i = 0; i < 2_000; i++) {
                long position = log.append(item("steady-" + i));
                if (i % 500 != 499) {
                    log.ack(position); // every 500th stays, in a segment of its own by then
                }
            }
            lastKept = log.append(item("last"));
            assertThat(log.stats().segments()).as("reclaimed segments are reused, not piled up").isLessThan(10);
        }
        try (DurableLog log = DurableLog.open(small)) {
            List<Replayed> replayed = replay(log);
            assertThat(replayed).extracting(Replayed::item)
                    .containsExactly("steady-499", "steady-999", "steady-1499", "steady-1999", "last");
            assertThat(replayed.get(replayed.size() - 1).position()).isEqualTo(lastKept);
            assertThat(log.truncations()).as("old records of a reused file are not a torn tail").isEmpty();
        }
    }

    @Test
    void atMaxBytesAnAppendIsRefusedWritingNothingAndAcknowledgingTheOldestMakesRoom() {
        DurableLogOptions bounded = options().withMaxBytes(3 * 4096);
        try (DurableLog log = DurableLog.open(bounded)) {
            List<Long> positions = new ArrayList<>();
            DurableLogFullException full = null;
            while (full == null) {
                try {
                    positions.add(log.append(item("x".repeat(100))));
                } catch (DurableLogFullException e) {
                    full = e;
                }
            }
            assertThat(full).hasMessageContaining("buffer.durable.max-bytes=12288")
                    .hasMessageContaining(log.directory().toString());
            assertThat(full.getBytesNeeded()).isEqualTo(4096);
            assertThat(positions).hasSize(3 * ((4096 - 16) / 108));
            long next = log.stats().nextPosition();
            assertThatExceptionOfType(DurableLogFullException.class)
                    .isThrownBy(() -> log.appendAll(List.of(item("y".repeat(50)), item("z".repeat(50)))));
            assertThat(log.stats().nextPosition()).as("a refused appendAll writes nothing").isEqualTo(next);

            // drop-oldest: acknowledge the oldest records until their segment is reclaimed
            long[] oldest = log.oldestUnacknowledged((4096 - 16) / 108);
            assertThat(oldest).containsExactly(positions.subList(0, oldest.length).stream()
                    .mapToLong(Long::longValue).toArray());
            log.ack(oldest);
            assertThat(log.append(item("fits-again"))).isEqualTo(next);
        }
        try (DurableLog log = DurableLog.open(bounded)) {
            List<Replayed> replayed = replay(log);
            assertThat(replayed).hasSize(2 * ((4096 - 16) / 108) + 1);
            assertThat(replayed.get(replayed.size() - 1).item()).isEqualTo("fits-again");
        }
    }

    @Test
    void misuseGetsAClearError() {
        try (DurableLog log = DurableLog.open(options())) {
            assertThatExceptionOfType(IllegalArgumentException.class)
                    .isThrownBy(() -> log.append(new byte[4096]))
                    .withMessageContaining("buffer.durable.segment-bytes");
            long p = log.append(item("a"));
            assertThatExceptionOfType(IllegalArgumentException.class)
                    .isThrownBy(() -> log.ack(p + 1))
                    .withMessageContaining("was never appended");
            assertThat(log.stats().records()).as("a refused ack acknowledges nothing").isEqualTo(1);
            log.close();
            assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> log.append(item("b")))
                    .withMessageContaining("closed");
        }
    }

    @Test
    void closeLeavesOnlyTheRecordsOnDiskAndNoSegmentGrowsPastItsSize() throws IOException {
        try (DurableLog log = DurableLog.open(options())) {
            for (int i = 0; i < 100; i++) {
                log.append(item("item-" + i));
            }
            assertThat(log.stats().segments()).isEqualTo(1);
        }
        assertThat(segmentFiles()).singleElement().satisfies(f ->
                assertThat(Files.size(f)).isEqualTo(16 + 10 * 14 + 90 * 15));
    }
    private long ackFileBytes() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".ack")).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static long[] range(long first, int count) {
        return java.util.stream.LongStream.range(first, first + count).toArray();
    }

    @Test
    void batchesOfConsecutivePositionsAreAcknowledgedAsRangesInAFewBytesAndKeptAcrossAReopen() throws IOException {
        List<Long> kept = new ArrayList<>();
        try (DurableLog log = DurableLog.open(options().withSegmentBytes(64 << 10))) {
            long first = log.append(item("item-0"));
            for (int i = 1; i < 1_000; i++) {
                log.append(item("item-" + i));
            }
            // Nine FIFO batches of 100 settle; the last 100 stay.
            for (int batch = 0; batch < 9; batch++) {
                assertThat(log.ack(range(first + batch * 100, 100))).isEqualTo(100);
            }
            for (int i = 900; i < 1_000; i++) {
                kept.add(first + i);
            }
        }
        // The first format took 8 + 8 x 100 bytes for each batch; a range entry takes 8 + 12.
        assertThat(ackFileBytes()).as("bytes of the acknowledgement files").isPositive().isLessThanOrEqualTo(9 * 20);
        try (DurableLog log = DurableLog.open(options().withSegmentBytes(64 << 10))) {
            assertThat(replay(log)).extracting(Replayed::position).containsExactlyElementsOf(kept);
            assertThat(log.stats().records()).isEqualTo(100);
        }
    }

    @Test
    void aRangeSpanningSegmentsAcknowledgesItsPositionsInEachOfThem() {
        List<Long> positions = new ArrayList<>();
        try (DurableLog log = DurableLog.open(options())) {
            for (int i = 0; i < 1_000; i++) { // about 272 records of 15 bytes per 4 KiB segment: 4 segments
                positions.add(log.append(item(String.format("item-%03d", i).substring(0, 7))));
            }
            assertThat(log.stats().segments()).isGreaterThanOrEqualTo(4);
            // One run from inside the first segment, over the whole second one, into the third.
            long from = positions.get(100);
            assertThat(log.ack(range(from, 500))).isEqualTo(500);
            assertThat(log.ack(range(from, 500))).as("acknowledged already").isZero();
            assertThat(log.stats().records()).isEqualTo(500);
        }
        try (DurableLog log = DurableLog.open(options())) {
            List<Long> expected = new ArrayList<>(positions.subList(0, 100));
            expected.addAll(positions.subList(600, 1_000));
            assertThat(replay(log)).extracting(Replayed::position).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void rangesAcknowledgedOutOfOrderAndOverlappingEarlierOnesAreKeptAcrossAReopen() {
        List<Long> positions = new ArrayList<>();
        try (DurableLog log = DurableLog.open(options().withSegmentBytes(64 << 10))) {
            for (int i = 0; i < 1_000; i++) {
                positions.add(log.append(item("item-" + i)));
            }
            long first = positions.get(0);
            // Batches settle out of order (parallel sends), and a retried batch may overlap one acknowledged before.
            List<Integer> batches = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8));
            Collections.shuffle(batches, new Random(3));
            for (int batch : batches) {
                assertThat(log.ack(range(first + batch * 100, 100))).isEqualTo(100);
            }
            assertThat(log.ack(range(first + 850, 100))).as("only 900-949 are new").isEqualTo(50);
            // A batch in descending order, and one with a gap: several ranges.
            long[] backwards = {first + 980, first + 979, first + 978};
            assertThat(log.ack(backwards)).isEqualTo(3);
            assertThat(log.ack(first + 990, first + 991, first + 995)).isEqualTo(3);
            assertThat(log.stats().records()).isEqualTo(1_000 - 900 - 50 - 3 - 3);
        }
        try (DurableLog log = DurableLog.open(options().withSegmentBytes(64 << 10))) {
            List<Long> expected = new ArrayList<>();
            for (int i = 950; i < 1_000; i++) {
                if (i != 978 && i != 979 && i != 980 && i != 990 && i != 991 && i != 995) {
                    expected.add(positions.get(i));
                }
            }
            assertThat(replay(log)).extracting(Replayed::position).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aTornRangeEntryIsCutOffReportedAndTheEntriesBeforeItKept() throws IOException {
        List<Long> positions = new ArrayList<>();
        try (DurableLog log = DurableLog.open(options().withSegmentBytes(64 << 10))) {
            for (int i = 0; i < 300; i++) {
                positions.add(log.append(item("item-" + i)));
            }
            log.ack(range(positions.get(0), 100));
            // written with the next fsync at the latest
            await().atMost(Duration.ofSeconds(5)).until(() -> ackFileBytes() > 0);
            log.ack(range(positions.get(100), 100));
        }
        Path ackFile;
        try (Stream<Path> files = Files.list(dir)) {
            ackFile = files.filter(f -> f.toString().endsWith(".ack")).findFirst().orElseThrow();
        }
        long size = Files.size(ackFile);
        assertThat(size).as("two range entries of one range").isEqualTo(2 * 20);
        try (RandomAccessFile file = new RandomAccessFile(ackFile.toFile(), "rw")) {
            file.setLength(size - 5); // a crash in the middle of the second entry's write
        }
        try (DurableLog log = DurableLog.open(options().withSegmentBytes(64 << 10))) {
            assertThat(log.truncations()).singleElement().satisfies(tail -> {
                assertThat(tail.file()).isEqualTo(ackFile.toRealPath());
                assertThat(tail.offset()).isEqualTo(20);
                assertThat(tail.bytesDropped()).isEqualTo(15);
                assertThat(tail.reason()).contains("cut off");
            });
            // The torn acknowledgement is forgotten: its records come again (duplicates, never a loss).
            assertThat(replay(log)).extracting(Replayed::position)
                    .containsExactlyElementsOf(positions.subList(100, 300));
        }
        assertThat(Files.size(ackFile)).isEqualTo(20);
    }

    @Test
    void anAcknowledgementFileOfTheFirstFormatIsStillReadAndAppendedTo() throws IOException {
        List<Long> positions = new ArrayList<>();
        try (DurableLog log = DurableLog.open(options())) {
            for (int i = 0; i < 10; i++) {
                positions.add(log.append(item("item-" + i)));
            }
        }
        // The first format: int count, int CRC32C of the count and the positions, then each position.
        java.nio.ByteBuffer entry = java.nio.ByteBuffer.allocate(8 + 3 * 8).putInt(3).putInt(0)
                .putLong(positions.get(1)).putLong(positions.get(4)).putLong(positions.get(7));
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(entry.array(), 0, 4);
        crc.update(entry.array(), 8, 3 * 8);
        entry.putInt(4, (int) crc.getValue());
        Path segment = segmentFiles().get(0);
        Path ackFile = segment.resolveSibling(segment.getFileName().toString().replace(".seg", ".ack"));
        Files.write(ackFile, entry.array());
        try (DurableLog log = DurableLog.open(options())) {
            assertThat(log.truncations()).isEmpty();
            assertThat(replay(log)).extracting(Replayed::position)
                    .containsExactly(positions.get(0), positions.get(2), positions.get(3), positions.get(5),
                            positions.get(6), positions.get(8), positions.get(9));
            assertThat(log.ack(positions.get(8), positions.get(9))).isEqualTo(2);
        }
        try (DurableLog log = DurableLog.open(options())) {
            assertThat(log.truncations()).isEmpty();
            assertThat(replay(log)).extracting(Replayed::position)
                    .containsExactly(positions.get(0), positions.get(2), positions.get(3), positions.get(5),
                            positions.get(6));
        }
    }

    @Test
    void aSegmentOfTheFirstFormatIsStillReplayedAndAppendsGoOnInTheCurrentOne() throws IOException {
        // Version 1: a 16-byte header, then records of int length, int CRC32C (length, position, item), long position.
        java.nio.ByteBuffer file = java.nio.ByteBuffer.allocate(4096);
        file.putInt(Segment.MAGIC).putInt(1).putLong(0);
        for (int i = 0; i < 3; i++) {
            byte[] bytes = item("old-" + i);
            int at = file.position();
            file.putInt(bytes.length).putInt(0).putLong(i).put(bytes);
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(file.array(), at, 4);
            crc.update(file.array(), at + 8, 8 + bytes.length);
            file.putInt(at + 4, (int) crc.getValue());
        }
        Files.write(dir.resolve(Segment.name(0) + ".seg"), file.array());
        try (DurableLog log = DurableLog.open(options())) {
            assertThat(log.truncations()).isEmpty();
            assertThat(replay(log)).containsExactly(new Replayed(0, "old-0"), new Replayed(1, "old-1"),
                    new Replayed(2, "old-2"));
            assertThat(log.append(item("new"))).isEqualTo(3);
            log.ack(1);
        }
        try (DurableLog log = DurableLog.open(options())) {
            assertThat(replay(log)).containsExactly(new Replayed(0, "old-0"), new Replayed(2, "old-2"),
                    new Replayed(3, "new"));
        }
    }
}
