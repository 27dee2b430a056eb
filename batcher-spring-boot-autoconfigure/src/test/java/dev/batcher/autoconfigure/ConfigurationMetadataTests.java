package dev.batcher.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;

/**
 * The IDE metadata that the configuration processor generates at build time ({@code META-INF/spring-configuration-
 * metadata.json}, merged with {@code additional-spring-configuration-metadata.json}): every key an instance accepts
 * completes under {@code batcher.defaults} with its description, default and allowed values.
 */
class ConfigurationMetadataTests {

    private static DocumentContext metadata;

    @BeforeAll
    static void read() throws IOException {
        try (InputStream in = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
            metadata = JsonPath.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void defaultsGroupDescribesMaxBatchItemsWithItsDefault() {
        Map<String, Object> property = property("batcher.defaults.max-batch-items");
        assertThat(property).containsEntry("type", "java.lang.Integer").containsEntry("defaultValue", 100);
        assertThat(property.get("description")).asString().startsWith("Items per batch at most");
    }

    @Test
    void everyKeyOfADispatcherIsDescribedUnderDefaults() {
        Set<String> withoutDefault = Set.of("max-batch-bytes", "buffer.max-bytes", "buffer.durable.directory",
                "buffer.durable.max-bytes", "buffer.durable.staging-directory");
        for (String key : BatcherPropertyNames.DISPATCHER_KEYS) {
            Map<String, Object> property = property("batcher.defaults." + key);
            assertThat(property.get("description")).as(key).asString().isNotBlank();
            if (!withoutDefault.contains(key)) {
                assertThat(property).as(key).containsKey("defaultValue");
            }
        }
        assertThat(property("batcher.defaults.max-batch-age")).containsEntry("defaultValue", "100ms");
        assertThat(property("batcher.defaults.buffer.full-behavior")).containsEntry("defaultValue", "block");
        assertThat(property("batcher.shutdown.timeout")).containsEntry("defaultValue", "25s");
        assertThat(property("batcher.defaults.buffer.durable.fsync")).containsEntry("defaultValue", "interval");
        assertThat(property("batcher.defaults.buffer.durable.fsync-interval")).containsEntry("defaultValue", "10ms");
        assertThat(property("batcher.defaults.buffer.durable.segment-bytes")).containsEntry("defaultValue", "64MB");
        assertThat(property("batcher.defaults.buffer.durable.directory").get("description")).asString()
                .startsWith("Directory of the dispatcher's log files");
    }

    @Test
    void everyKeyOfABatcherIsDescribedUnderBatcherDefaults() {
        for (String key : BatcherPropertyNames.BATCHER_KEYS) {
            Map<String, Object> property = property("batcher.batcher-defaults." + key);
            assertThat(property.get("description")).as(key).asString().isNotBlank();
            if (!Set.of("capacity", "shared.capacity", "shared.name", "shared.partition-size", "shared.instance-id")
                    .contains(key)) {
                assertThat(property).as(key).containsKey("defaultValue");
            }
        }
        assertThat(property("batcher.batcher-defaults.flush-interval")).containsEntry("defaultValue", "100ms");
        assertThat(property("batcher.batcher-defaults.audit-interval")).containsEntry("defaultValue", "10s");
        assertThat(property("batcher.batcher-defaults.max-operation-time")).containsEntry("defaultValue", "1m");
        assertThat(property("batcher.batcher-defaults.buffer.max-items")).containsEntry("defaultValue", 10000);
        assertThat(property("batcher.batcher-defaults.capacity").get("description")).asString()
                .startsWith("Provisioned capacity in cost units per second");
    }

    @Test
    void everyKeyOfAProcessorAndACoordinatorIsDescribedUnderTheirDefaults() {
        for (String key : List.of("min-duration", "max-duration", "max-concurrent-batches", "drain-timeout",
                "buffer.max-items", "buffer.full-behavior", "buffer.block-timeout")) {
            assertThat(property("batcher.processor-defaults." + key).get("description")).as(key).asString()
                    .isNotBlank();
        }
        assertThat(property("batcher.processor-defaults.min-duration")).containsEntry("defaultValue", "100ms");
        assertThat(property("batcher.processor-defaults.max-concurrent-batches")).containsEntry("defaultValue", 8);
        assertThat(property("batcher.processor-defaults.buffer.max-items")).containsEntry("defaultValue", 10000);
        assertThat(property("batcher.coordinator-defaults.coaches")).containsEntry("defaultValue", 1);
        assertThat(property("batcher.coordinator-defaults.coaches").get("description")).asString()
                .startsWith("Batches collected and committed in parallel");
        assertThat(property("batcher.coordinator-defaults.drain-timeout").get("description")).asString()
                .isNotBlank();
        assertThat(property("batcher.processors").get("description")).asString()
                .contains("@ProcessorStore(\"<name>\")");
        assertThat(property("batcher.coordinators").get("description")).asString()
                .contains("@BatchCommit(\"<name>\")");
    }

    @Test
    void orderingAndFullBehaviorListTheirValues() {
        assertThat(hintValues("batcher.defaults.ordering")).containsExactly("none", "fifo", "per-key");
        assertThat(hintValues("batcher.defaults.buffer.full-behavior")).containsExactly("block", "drop-oldest",
                "reject");
        assertThat(hintValues("batcher.defaults.buffer.durable.fsync")).containsExactly("interval", "always");
    }

    @Test
    void healthSwitchAndEndpointAccessAreDescribed() {
        assertThat(property("management.health.batchers.enabled")).containsEntry("defaultValue", true)
                .containsEntry("type", "java.lang.Boolean");
        assertThat(property("management.endpoint.batchers.access")).containsEntry("defaultValue", "read_only");
    }

    private static Map<String, Object> property(String name) {
        List<Map<String, Object>> found = metadata.read("$.properties[?(@.name == '" + name + "')]");
        assertThat(found).as("metadata of %s", name).hasSize(1);
        return found.get(0);
    }

    private static List<Object> hintValues(String name) {
        return metadata.read("$.hints[?(@.name == '" + name + "')].values[*].value");
    }
}
