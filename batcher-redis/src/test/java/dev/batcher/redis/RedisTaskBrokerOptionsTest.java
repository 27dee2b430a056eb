package dev.batcher.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.batcher.InvalidOptionException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisTaskBrokerOptionsTest {

    private final RedisTaskBrokerOptions defaults = RedisTaskBrokerOptions.defaults();

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertThat(defaults.keyPrefix()).isEqualTo("batcher:tasks");
        assertThat(defaults.reclaimIdleTime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.maxDeliveries()).isEqualTo(5);
        assertThat(defaults.resultTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(defaults.maxPayloadBytes()).isEqualTo(1024 * 1024);
        assertThat(defaults.blockTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.readBatch()).isEqualTo(100);
        assertThat(defaults.delayedPollInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(defaults.instanceId()).startsWith("pid-" + ProcessHandle.current().pid() + "-");
    }

    @Test
    void eachInvalidValueIsRefusedNamingItsPropertyKey() {
        assertRefused(() -> defaults.withKeyPrefix("a{b}"), "redis.key-prefix", "'{'");
        assertRefused(() -> defaults.withKeyPrefix(" "), "redis.key-prefix", "blank");
        assertRefused(() -> defaults.withReclaimIdleTime(Duration.ofMillis(5)), "reclaim-idle-time", "10 ms");
        assertRefused(() -> defaults.withMaxDeliveries(0), "max-deliveries", "at least 1");
        assertRefused(() -> defaults.withResultTtl(Duration.ofMillis(10)), "result-ttl", "at least 1 s");
        assertRefused(() -> defaults.withMaxPayloadBytes(0), "max-payload-bytes", "between 1 byte");
        assertRefused(() -> defaults.withBlockTimeout(Duration.ZERO), "block-timeout", "at least 1 ms");
        assertRefused(() -> defaults.withReadBatch(0), "read-batch", "between 1 and 10000");
        assertRefused(() -> defaults.withDelayedPollInterval(Duration.ZERO), "delayed-poll-interval", "1 ms");
        assertRefused(() -> defaults.withInstanceId(""), "instance-id", "blank");
    }

    private static void assertRefused(Runnable build, String option, String problem) {
        assertThatExceptionOfType(InvalidOptionException.class).isThrownBy(build::run)
                .withMessageContaining("Invalid option " + option + "=")
                .withMessageContaining(problem)
                .satisfies(ex -> assertThat(ex.getOption()).isEqualTo(option));
    }
}
