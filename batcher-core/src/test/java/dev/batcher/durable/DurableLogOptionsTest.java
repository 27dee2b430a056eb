package dev.batcher.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.batcher.InvalidOptionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableLogOptionsTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreIntervalFsyncEvery10msIn64MiBSegmentsWithoutALimit() {
        DurableLogOptions options = DurableLogOptions.of(dir);
        assertThat(options.fsync()).isEqualTo(FsyncPolicy.INTERVAL);
        assertThat(options.fsyncInterval()).isEqualTo(Duration.ofMillis(10));
        assertThat(options.segmentBytes()).isEqualTo(64L << 20);
        assertThat(options.maxBytes()).isEqualTo(-1);
    }

    @Test
    void eachInvalidValueNamesItsProperty() {
        DurableLogOptions ok = DurableLogOptions.of(dir);
        assertThatExceptionOfType(InvalidOptionException.class).isThrownBy(() -> ok.withDirectory(null))
                .satisfies(e -> assertThat(e.getOption()).isEqualTo("buffer.durable.directory"));
        assertThatExceptionOfType(InvalidOptionException.class).isThrownBy(() -> ok.withFsync(null))
                .satisfies(e -> assertThat(e.getOption()).isEqualTo("buffer.durable.fsync"));
        assertThatExceptionOfType(InvalidOptionException.class).isThrownBy(() -> FsyncPolicy.parse("sometimes"))
                .withMessageContaining("buffer.durable.fsync=sometimes")
                .withMessageContaining("always or interval");
        assertThat(FsyncPolicy.parse("Always")).isEqualTo(FsyncPolicy.ALWAYS);
        assertThat(FsyncPolicy.parse("interval")).isEqualTo(FsyncPolicy.INTERVAL);
        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(() -> ok.withFsyncInterval(Duration.ZERO))
                .satisfies(e -> assertThat(e.getOption()).isEqualTo("buffer.durable.fsync-interval"))
                .withMessageContaining("must be positive");
        assertThatExceptionOfType(InvalidOptionException.class).isThrownBy(() -> ok.withSegmentBytes(1000))
                .satisfies(e -> assertThat(e.getOption()).isEqualTo("buffer.durable.segment-bytes"));
        assertThatExceptionOfType(InvalidOptionException.class).isThrownBy(() -> ok.withSegmentBytes(2L << 30))
                .satisfies(e -> assertThat(e.getOption()).isEqualTo("buffer.durable.segment-bytes"));
        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(() -> ok.withSegmentBytes(4096).withMaxBytes(8191))
                .satisfies(e -> assertThat(e.getOption()).isEqualTo("buffer.durable.max-bytes"))
                .withMessageContaining("at least two segments");
        assertThat(ok.withSegmentBytes(4096).withMaxBytes(8192).maxBytes()).isEqualTo(8192);
    }

    @Test
    void aDirectoryThatIsAFileIsRefusedAtOpen() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(() -> DurableLog.open(DurableLogOptions.of(file)))
                .satisfies(e -> assertThat(e.getOption()).isEqualTo("buffer.durable.directory"))
                .withMessageContaining("is a file, not a directory");
    }
}
