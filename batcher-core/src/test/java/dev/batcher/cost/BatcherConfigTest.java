package dev.batcher.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.batcher.FullBehavior;
import dev.batcher.InvalidOptionException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BatcherConfigTest {

    @Test
    void defaultsAreGoBatchers() {
        BatcherConfig config = BatcherConfig.defaults();
        assertThat(config.flushInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.capacityInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.auditInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.maxOperationTime()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.pauseTime()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.bufferMaxItems()).isEqualTo(10_000);
        assertThat(config.fullBehavior()).isEqualTo(FullBehavior.BLOCK);
        assertThat(config.capacityLimiter()).isNull();
        assertThat(config.emitBatch()).isFalse();
    }

    @Test
    void fromCopiesEveryOption() {
        BatcherConfig base = BatcherConfig.builder().flushInterval(Duration.ofMillis(50)).bufferMaxItems(7)
                .fullBehavior(FullBehavior.REJECT).maxConcurrentBatches(3).throttle(0.25, 0.2).emitBatch(true)
                .build();
        BatcherConfig copy = BatcherConfig.from(base).build();
        assertThat(copy.flushInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(copy.buffer()).isEqualTo(base.buffer());
        assertThat(copy.maxConcurrentBatches()).isEqualTo(3);
        assertThat(copy.throttleDecrease()).isEqualTo(0.25);
        assertThat(copy.throttleRecoveryStep()).isEqualTo(0.2);
        assertThat(copy.emitBatch()).isTrue();
    }

    @Test
    void invalidOptionsAreReportedByTheirPropertyKey() {
        assertInvalid(BatcherConfig.builder().flushInterval(Duration.ZERO), "flush-interval");
        assertInvalid(BatcherConfig.builder().capacityInterval(Duration.ofMillis(-1)), "capacity-interval");
        assertInvalid(BatcherConfig.builder().auditInterval(null), "audit-interval");
        assertInvalid(BatcherConfig.builder().maxOperationTime(Duration.ZERO), "max-operation-time");
        assertInvalid(BatcherConfig.builder().pauseTime(Duration.ZERO), "pause-time");
        assertInvalid(BatcherConfig.builder().bufferMaxItems(0), "buffer.max-items");
        assertInvalid(BatcherConfig.builder().fullBehavior(null), "buffer.full-behavior");
        assertInvalid(BatcherConfig.builder().maxConcurrentBatches(0), "max-concurrent-batches");
        assertInvalid(BatcherConfig.builder().throttle(1.0, 0.1), "throttle.decrease-factor");
        assertInvalid(BatcherConfig.builder().throttle(0.5, 0), "throttle.recovery-step");
        assertInvalid(BatcherConfig.builder().drainTimeout(Duration.ofSeconds(-1)), "drain-timeout");
    }

    @Test
    void invalidWatcherLimitsAreReportedByTheirKey() {
        Watcher<String> watcher = Watcher.of(ops -> { });
        assertThatExceptionOfType(InvalidOptionException.class).isThrownBy(() -> watcher.withMaxBatchSize(-1))
                .satisfies(ex -> assertThat(ex.getOption()).isEqualTo("max-batch-size"));
        assertThatExceptionOfType(InvalidOptionException.class).isThrownBy(() -> watcher.withMaxAttempts(-2))
                .satisfies(ex -> assertThat(ex.getOption()).isEqualTo("max-attempts"));
        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(() -> watcher.withMaxOperationTime(Duration.ZERO))
                .satisfies(ex -> assertThat(ex.getOption()).isEqualTo("max-operation-time"));
        assertThatExceptionOfType(IllegalArgumentException.class)
                .isThrownBy(() -> Operation.of(watcher, -1, "x")).withMessageContaining("cost");
    }

    private static void assertInvalid(BatcherConfig.Builder builder, String option) {
        assertThatExceptionOfType(InvalidOptionException.class).isThrownBy(builder::build)
                .satisfies(ex -> assertThat(ex.getOption()).isEqualTo(option))
                .withMessageContaining(option);
    }
}
