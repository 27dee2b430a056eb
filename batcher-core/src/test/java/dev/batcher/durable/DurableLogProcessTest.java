package dev.batcher.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
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
