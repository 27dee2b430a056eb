package dev.batcher.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

/** {@link BatcherPropertyNames}: the closest valid key to an unknown one. */
class BatcherPropertyNamesTests {

    @Test
    void suggestsTheClosestKeyKeepingTheDispatcherName() {
        assertThat(suggest("batcher.dispatchers.words.max-batch-itmes"))
                .isEqualTo("batcher.dispatchers.words.max-batch-items");
        assertThat(suggest("batcher.dispatcher.words.max-batch-items"))
                .isEqualTo("batcher.dispatchers.words.max-batch-items");
        assertThat(suggest("batcher.dispatchers.words.buffer-max-items"))
                .isEqualTo("batcher.dispatchers.words.buffer.max-items");
        assertThat(suggest("batcher.dispatchers.words.retry.max-attempt"))
                .isEqualTo("batcher.dispatchers.words.retry.max-attempts");
        assertThat(suggest("batcher.default.send-timeout")).isEqualTo("batcher.defaults.send-timeout");
        assertThat(suggest("batcher.shutdown.timout")).isEqualTo("batcher.shutdown.timeout");
        assertThat(suggest("batcher.batchers.cosmos.flush-intervall")).isEqualTo("batcher.batchers.cosmos.flush-interval");
        assertThat(suggest("batcher.batchers.cosmos.buffer.max-item")).isEqualTo("batcher.batchers.cosmos.buffer.max-items");
    }

    @Test
    void suggestsNothingWhenNoKeyIsClose() {
        assertThat(suggest("batcher.dispatchers.words.colour")).isNull();
        assertThat(suggest("batcher.redis.url")).isNull();
    }

    @Test
    void knowsEveryKeyOfADispatcher() {
        assertThat(BatcherPropertyNames.DISPATCHER_KEYS).contains("max-batch-items", "buffer.full-behavior",
                "rate-limit.burst", "retry.max-backoff", "send-timeout", "buffer.durable.directory",
                "buffer.durable.fsync", "buffer.durable.fsync-interval", "buffer.durable.segment-bytes",
                "buffer.durable.max-bytes", "buffer.durable.staging-directory").hasSize(23);
        assertThat(BatcherPropertyNames.KEYS).contains("defaults.max-batch-items", "dispatchers.*.max-batch-items",
                "shutdown.timeout", "health.max-full-duration", "batchers.*.capacity", "batchers.*.flush-interval",
                "batcher-defaults.throttle.recovery-step");
        assertThat(BatcherPropertyNames.BATCHER_KEYS).contains("capacity", "flush-interval", "capacity-interval",
                "audit-interval", "max-operation-time", "pause-time", "max-concurrent-batches", "emit-batch",
                "buffer.max-items", "buffer.full-behavior", "buffer.block-timeout", "throttle.decrease-factor",
                "throttle.recovery-step", "shared.capacity", "shared.name", "shared.partition-size",
                "shared.reserved-capacity", "shared.lease-time", "shared.max-interval", "shared.instance-id")
                .hasSize(20);
    }

    private static String suggest(String name) {
        return BatcherPropertyNames.suggest(ConfigurationPropertyName.of(name));
    }
}
