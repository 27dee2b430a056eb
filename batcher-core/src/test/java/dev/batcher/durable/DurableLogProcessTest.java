package dev.batcher.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable log against another process: a crash with {@code kill -9}, and a second instance on one directory. */
class DurableLogProcessTest {

    @TempDir
    Path dir;

    @Test
    void everyAppendAcknowledgedUnderFsyncAlwaysIsReplayedAfterTheProcessIsKilledMidRun() throws Exception {
        Map<Long, String> acknowledged = new HashMap<>();
        try (ChildProcess child = ChildProcess.start("append", dir)) {
            // Enough appends to roll several 64 KiB segments, then kill -9 while it is still appending.
            await().atMost(Duration.ofSeconds(60)).until(() -> child.lines.size() > 3_000);
            child.kill();
            // The last line may have been cut by the kill: only whole lines before it count.
            for (String line : child.lines.subList(0, child.lines.size() - 1)) {
                if (line.startsWith("ACK ")) {
                    String[] parts = line.split(" ");
                    acknowledged.put(Long.parseLong(parts[2]), "item-" + parts[1]);
                }
            }
        }
        assertThat(acknowledged).hasSizeGreaterThan(3_000);

        Map<Long, String> replayed = new HashMap<>();
        try (DurableLog log = DurableLog.open(DurableLogOptions.of(dir))) {
            log.replay((position, item) -> replayed.put(position, new String(item, StandardCharsets.UTF_8)));
            assertThat(log.stats().replayed()).isEqualTo(replayed.size());
        }
        assertThat(replayed).containsAllEntriesOf(acknowledged);
    }

    @TempDir
    Path stagingRoot;

    /**
     * With appends staged on tmpfs (here a temporary directory stands in for it): a crash of the process keeps every
     * append that returned, the staged copy completing the disk files at the next open.
     */
    @Test
    void withStagingEveryReturnedAppendIsReplayedAfterTheProcessIsKilled() throws Exception {
        Map<Long, String> acknowledged = new HashMap<>();
        runStagedChildAndKillIt(acknowledged, new long[1]);

        Map<Long, String> replayed = new HashMap<>();
        try (DurableLog log = DurableLog.open(DurableLogOptions.of(dir).withStaging(stagingRoot))) {
            log.replay((position, item) -> replayed.put(position, new String(item, StandardCharsets.UTF_8)));
        }
        assertThat(replayed).containsAllEntriesOf(acknowledged);
        try (Stream<Path> left = Files.walk(stagingRoot)) {
            assertThat(left.filter(Files::isRegularFile)).as("staged files after a clean close").isEmpty();
        }
    }

    /**
     * A crash of the machine loses what was staged and not yet copied: what the flusher reported durable is replayed,
     * as a gap-free prefix of the appends.
     */
    @Test
    void withStagingLostLikeAPowerCutWhatWasReportedDurableIsReplayed() throws Exception {
        Map<Long, String> acknowledged = new HashMap<>();
        long[] durable = new long[1];
        runStagedChildAndKillIt(acknowledged, durable);
        try (Stream<Path> staged = Files.walk(stagingRoot)) {
            staged.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(stagingRoot))
                    .forEach(p -> p.toFile().delete()); // tmpfs is gone after a power cut
        }

        Map<Long, String> replayed = new HashMap<>();
        try (DurableLog log = DurableLog.open(DurableLogOptions.of(dir).withStaging(stagingRoot))) {
            log.replay((position, item) -> replayed.put(position, new String(item, StandardCharsets.UTF_8)));
        }
        assertThat(durable[0]).isGreaterThan(0);
        assertThat((long) replayed.size()).isGreaterThanOrEqualTo(durable[0] + 1);
        for (long position = 0; position < replayed.size(); position++) {
            assertThat(replayed).as("a gap-free prefix").containsKey(position);
            if (acknowledged.containsKey(position)) { // the kill may have cut the last ACK lines
                assertThat(replayed.get(position)).as("position %d", position).isEqualTo(acknowledged.get(position));
            }
        }
    }

    private void runStagedChildAndKillIt(Map<Long, String> acknowledged, long[] durable) throws Exception {
        try (ChildProcess child = ChildProcess.start(DurableLogChild.class, "append-staged", dir.toString(),
                stagingRoot.toString())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> child.lines.stream()
                    .filter(l -> l.startsWith("DURABLE ")).count() > 3 && child.lines.size() > 20_000);
            child.kill();
            for (String line : child.lines.subList(0, child.lines.size() - 1)) {
                String[] parts = line.split(" ");
                if (line.startsWith("ACK ")) {
                    acknowledged.put(Long.parseLong(parts[2]), "item-" + parts[1]);
                }
                else if (line.startsWith("DURABLE ")) {
                    durable[0] = Math.max(durable[0], Long.parseLong(parts[1]));
                }
            }
        }
        assertThat(acknowledged).hasSizeGreaterThan(20_000);
    }

    @Test
    void aDirectoryHeldByAnotherProcessIsRefusedNamingItAndTheFix() throws Exception {
        try (ChildProcess child = ChildProcess.start("hold", dir)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> child.lines.stream().anyMatch(l -> l.startsWith("OPEN")));

            assertThatExceptionOfType(DurableLogLockedException.class)
                    .isThrownBy(() -> DurableLog.open(DurableLogOptions.of(dir)))
                    .withMessageContaining(dir.toRealPath().toString())
                    .withMessageContaining("held by process pid " + child.process.pid())
                    .withMessageContaining("buffer.durable.directory")
                    .withMessageContaining("close the other instance first");

            child.kill();
        }
        // The lock dies with the process: the directory opens again.
        try (DurableLog log = DurableLog.open(DurableLogOptions.of(dir))) {
            assertThat(log.truncations()).isEmpty();
        }
    }
}
