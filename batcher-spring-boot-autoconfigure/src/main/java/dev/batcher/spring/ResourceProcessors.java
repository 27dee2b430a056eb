package dev.batcher.spring;

import dev.batcher.resource.ResourceProcessor;
import dev.batcher.resource.ResourceProcessorConfig;
import dev.batcher.resource.ResourceStore;
import java.util.function.Consumer;

/**
 * Builds the resource processors an application creates itself exactly as the auto-configuration builds those of
 * {@link ProcessorStore} beans (as {@link CostBatchers} serves cost batchers): with the
 * {@code batcher.processors.<name>.*} properties, meters, health, the {@code batchers} endpoint and the lifecycle: a
 * processor built while the context starts runs no batch before the application has started, and every one drains
 * on shutdown within {@code batcher.shutdown.timeout}.
 *
 * <pre>{@code
 * @Bean
 * ResourceProcessor<Long, Account> accounts(ResourceProcessors processors, JdbcClient jdbc) {
 *     return processors.build("accounts", new AccountStore(jdbc));
 * }
 * }</pre>
 */
public interface ResourceProcessors {

    /**
     * Builds a processor from its properties.
     *
     * @param name the processor name: the key under {@code batcher.processors}, distinct from every other instance
     * @param store loads and saves its resources
     * @param <K> the resource key type
     * @param <R> the resource type
     * @return the processor, registered; its batches run once the application has started
     * @throws IllegalStateException naming the property and the fix when an option is invalid, or when another
     *     instance has the name
     */
    <K, R> ResourceProcessor<K, R> build(String name, ResourceStore<K, R> store);

    /**
     * Builds a processor, then lets {@code customizer} adjust its configuration last, after the properties.
     *
     * @param name the processor name
     * @param store loads and saves its resources
     * @param customizer adjusts this processor's configuration
     * @param <K> the resource key type
     * @param <R> the resource type
     * @return the processor
     * @throws IllegalStateException naming the property and the fix when an option is invalid, or when another
     *     instance has the name
     */
    <K, R> ResourceProcessor<K, R> build(String name, ResourceStore<K, R> store,
            Consumer<ResourceProcessorConfig.Builder> customizer);
}
