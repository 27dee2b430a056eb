package dev.batcher.resource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Creates processors for a test and stops every one of them after it. */
final class TestProcessors implements AfterEachCallback {

    private final List<ResourceProcessor<?, ?>> created = new CopyOnWriteArrayList<>();

    /**
     * Options with a short min-duration, so that tests run quickly, and a long max-duration, so that a busy machine
     * does not fail batches at their deadline in tests that are not about deadlines.
     */
    static ResourceProcessorConfig.Builder options() {
        return ResourceProcessorConfig.builder().minDuration(Duration.ofMillis(50)).maxDuration(Duration.ofSeconds(10));
    }

    <K, R> ResourceProcessor<K, R> create(String name, ResourceProcessorConfig config, ResourceStore<K, R> store) {
        ResourceProcessor<K, R> processor = ResourceProcessor.create(name, config, store);
        created.add(processor);
        return processor;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (ResourceProcessor<?, ?> processor : created) {
            processor.shutdownNow();
        }
        created.clear();
    }
}
