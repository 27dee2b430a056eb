package dev.batcher.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.batcher.BufferLimits;
import dev.batcher.FullBehavior;
import dev.batcher.InvalidOptionException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Defaults and validation errors that name the property key, the value and the fix. */
class ResourceProcessorConfigTest {

    @Test
    void defaultsAreElgophersAndMaxDurationFollowsMinDuration() {
        ResourceProcessorConfig defaults = ResourceProcessorConfig.defaults();
        assertThat(defaults.minDuration()).isEqualTo(Duration.ofMillis(100));
        assertThat(defaults.maxDuration()).isEqualTo(Duration.ofMillis(200));
        assertThat(defaults.maxConcurrentBatches()).isEqualTo(8);
        assertThat(defaults.buffer().maxItems()).isEqualTo(10_000);
        assertThat(defaults.buffer().fullBehavior()).isEqualTo(FullBehavior.BLOCK);
        assertThat(defaults.drainTimeout()).isEqualTo(Duration.ofSeconds(30));

        ResourceProcessorConfig longer = ResourceProcessorConfig.builder().minDuration(Duration.ofSeconds(1)).build();
        assertThat(longer.maxDuration()).isEqualTo(Duration.ofSeconds(2));
        assertThat(ResourceProcessorConfig.from(longer).maxConcurrentBatches(3).build())
                .satisfies(c -> assertThat(c.minDuration()).isEqualTo(Duration.ofSeconds(1)))
                .satisfies(c -> assertThat(c.maxConcurrentBatches()).isEqualTo(3));
    }

    @Test
    void invalidOptionsNameTheirPropertyKey() {
        assertInvalid(ResourceProcessorConfig.builder().minDuration(Duration.ZERO), "min-duration", "positive");
        assertInvalid(ResourceProcessorConfig.builder().minDuration(null), "min-duration", "positive");
        assertInvalid(ResourceProcessorConfig.builder().minDuration(Duration.ofMillis(100))
                .maxDuration(Duration.ofMillis(100)), "max-duration", "longer than min-duration=PT0.1S");
        assertInvalid(ResourceProcessorConfig.builder().maxConcurrentBatches(0), "max-concurrent-batches",
                "at least 1");
        assertInvalid(ResourceProcessorConfig.builder().bufferMaxItems(0), "buffer.max-items", "at least 1");
        assertInvalid(ResourceProcessorConfig.builder().fullBehavior(FullBehavior.DROP_OLDEST),
                "buffer.full-behavior", "use block or reject");
        assertInvalid(ResourceProcessorConfig.builder().drainTimeout(Duration.ofSeconds(-1)), "drain-timeout",
                "zero or positive");
        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(() -> ResourceProcessorConfig.builder().buffer(BufferLimits.DEFAULTS.withMaxBytes(10)))
                .withMessageContaining("buffer.max-bytes");
    }

    @Test
    void creatingOrRunningWithMissingPartsFailsAtTheCall() {
        TestStore store = new TestStore();
        ResourceProcessorConfig config = ResourceProcessorConfig.defaults();
        assertThatExceptionOfType(IllegalArgumentException.class)
                .isThrownBy(() -> ResourceProcessor.create(" ", config, store)).withMessageContaining("name");
        assertThatNullPointerException().isThrownBy(() -> ResourceProcessor.create("x", config, null))
                .withMessageContaining("ResourceStore");
        ResourceProcessor<String, TestStore.Account> processor = ResourceProcessor.create("nulls", config, store);
        try {
            assertThatNullPointerException().isThrownBy(() -> processor.run(null, account -> account))
                    .withMessageContaining("key");
            assertThatNullPointerException().isThrownBy(() -> processor.run("k", null))
                    .withMessageContaining("operation");
        }
        finally {
            processor.close();
        }
    }

    private static void assertInvalid(ResourceProcessorConfig.Builder builder, String option, String problem) {
        assertThatExceptionOfType(InvalidOptionException.class).isThrownBy(builder::build)
                .withMessageContaining(option).withMessageContaining(problem)
                .satisfies(ex -> assertThat(ex.getOption()).isEqualTo(option));
    }
}
