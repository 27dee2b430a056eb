package dev.batcher.dispatch;

import dev.batcher.FullBehavior;
import dev.batcher.InvalidOptionException;
import dev.batcher.Ordering;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.springframework.retry.backoff.ExponentialBackOffPolicy;
import org.springframework.retry.policy.AlwaysRetryPolicy;

class DispatcherConfigTest {

    private static void assertInvalid(UnaryOperator<DispatcherConfig.Builder<Object>> options, String option,
            String value, String problem) {
        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(() -> options.apply(DispatcherConfig.builder()).build())
                .withMessageStartingWith("Invalid option " + option + "=" + value + ": ")
                .withMessageContaining(problem)
                .satisfies(e -> assertThat(e.getOption()).isEqualTo(option))
                .satisfies(e -> assertThat(e.getProblem()).contains(problem));
    }

    @Test
    void defaultsFollowLuciWhereItMakesSense() {
        DispatcherConfig<Object> config = DispatcherConfig.defaults();
        assertThat(config.maxBatchItems()).isEqualTo(100);
        assertThat(config.maxBatchBytes()).isEqualTo(-1);
        assertThat(config.maxBatchAge()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.maxConcurrentSends()).isEqualTo(4);
        assertThat(config.ordering()).isEqualTo(Ordering.NONE);
        assertThat(config.bufferMaxItems()).isEqualTo(10_000);
        assertThat(config.fullBehavior()).isEqualTo(FullBehavior.BLOCK);
        assertThat(config.blockTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.batchesPerSecond()).isZero();
        assertThat(config.maxAttempts()).isEqualTo(DispatcherConfig.UNLIMITED);
        assertThat(config.retryPolicy()).isInstanceOf(AlwaysRetryPolicy.class);
        assertThat(config.backOffPolicy()).isInstanceOfSatisfying(ExponentialBackOffPolicy.class, p -> {
            assertThat(p.getInitialInterval()).isEqualTo(200);
            assertThat(p.getMultiplier()).isEqualTo(1.2);
            assertThat(p.getMaxInterval()).isEqualTo(60_000);
        });
        assertThat(config.sendTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void fromCopiesEveryOption() {
        DispatcherConfig<Object> base = DispatcherConfig.builder().maxBatchItems(7).ordering(Ordering.FIFO)
                .maxConcurrentSends(1).rateLimit(5, 2).build();
        DispatcherConfig<Object> copy = DispatcherConfig.from(base).build();
        assertThat(copy.maxBatchItems()).isEqualTo(7);
        assertThat(copy.ordering()).isEqualTo(Ordering.FIFO);
        assertThat(copy.batchesPerSecond()).isEqualTo(5);
        assertThat(copy.burst()).isEqualTo(2);
    }

    @Test
    void retryOptionsChangedAfterFromAreNotHiddenByTheBasePolicies() {
        DispatcherConfig<Object> base = DispatcherConfig.defaults();
        DispatcherConfig<Object> changed = DispatcherConfig.from(base)
                .retry(3, Duration.ofMillis(50), 2.0, Duration.ofSeconds(1)).build();
        assertThat(changed.backOffPolicy()).isInstanceOfSatisfying(ExponentialBackOffPolicy.class,
                p -> assertThat(p.getInitialInterval()).isEqualTo(50));
        assertThat(changed.retryPolicy()).isNotInstanceOf(AlwaysRetryPolicy.class);
    }

    @Test
    void fifoAloneSendsOneBatchAtATime() {
        DispatcherConfig<Object> fifo = DispatcherConfig.builder().ordering(Ordering.FIFO).build();
        assertThat(fifo.maxConcurrentSends()).isEqualTo(1);
        assertThat(DispatcherConfig.defaults().maxConcurrentSends()).isEqualTo(4);
    }

    @Test
    void unlimitedBatchItemsNeedNoBufferAboveThem() {
        DispatcherConfig<Object> config = DispatcherConfig.builder().maxBatchItems(DispatcherConfig.UNLIMITED)
                .bufferMaxItems(10).build();
        assertThat(config.maxBatchItems()).isEqualTo(-1);
    }

    @Test
    void anInvalidDefaultSaysItIsTheDefault() {
        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(() -> DispatcherConfig.builder().maxBatchItems(20_000).build())
                .satisfies(e -> assertThat(e.isDefaultValue()).isTrue())
                .withMessageContaining("buffer.max-items=10000 (the default)");
    }

    @Test
    void invalidOptionsNameTheOptionTheValueAndTheFix() {
        assertInvalid(b -> b.ordering(Ordering.FIFO).maxConcurrentSends(4), "max-concurrent-sends", "4",
                "set max-concurrent-sends to 1");
        assertInvalid(b -> b.maxBatchAge(Duration.ZERO), "max-batch-age", "PT0S", "must be positive, such as 100ms");
        assertInvalid(b -> b.maxBatchBytes(1000), "max-batch-bytes", "1000", "needs an item sizer");
        assertInvalid(b -> b.bufferMaxBytes(1000), "buffer.max-bytes", "1000", "needs an item sizer");
        assertInvalid(b -> b.maxBatchItems(0), "max-batch-items", "0", "at least 1");
        assertInvalid(b -> b.maxConcurrentSends(0), "max-concurrent-sends", "0", "at least 1");
        assertInvalid(b -> b.bufferMaxItems(50).maxBatchItems(100), "buffer.max-items", "50",
                "at least max-batch-items");
        assertInvalid(b -> b.ordering(Ordering.PER_KEY), "ordering", "per-key", "needs a key extractor");
        assertInvalid(b -> b.rateLimit(-1, 1), "rate-limit.batches-per-second", "-1.0", "positive");
        assertInvalid(b -> b.rateLimit(10, 0), "rate-limit.burst", "0", "at least 1");
        assertInvalid(b -> b.rateLimit(1, 1).minBatchesPerSecond(2), "rate-limit.min-batches-per-second", "2.0",
                "must not exceed");
        assertInvalid(b -> b.retry(0, Duration.ofMillis(1), 2, Duration.ofSeconds(1)), "retry.max-attempts", "0",
                "-1 for unlimited");
        assertInvalid(b -> b.retry(3, Duration.ofMillis(1), 0.5, Duration.ofSeconds(1)), "retry.multiplier", "0.5",
                "at least 1");
        assertInvalid(b -> b.retry(3, Duration.ofSeconds(2), 2, Duration.ofSeconds(1)), "retry.max-backoff", "PT1S",
                "not be shorter than retry.initial-backoff");
        assertInvalid(b -> b.sendTimeout(Duration.ofSeconds(-1)), "send-timeout", "PT-1S", "positive");
        assertInvalid(b -> b.blockTimeout(Duration.ofSeconds(-1)), "buffer.block-timeout", "PT-1S", "zero or positive");
        assertInvalid(b -> b.fullBehavior(null), "buffer.full-behavior", "null", "block, drop-oldest, reject");
    }

    @Test
    void aDispatcherNeedsAName() {
        assertThatExceptionOfType(IllegalArgumentException.class)
                .isThrownBy(() -> Dispatcher.create(" ", DispatcherConfig.defaults(), batch -> { }))
                .withMessageContaining("non-blank name");
    }
}
