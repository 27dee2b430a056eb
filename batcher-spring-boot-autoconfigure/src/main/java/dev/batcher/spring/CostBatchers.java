package dev.batcher.spring;

import dev.batcher.cost.Batcher;
import dev.batcher.cost.BatcherConfig;
import dev.batcher.cost.Watcher;
import java.util.function.Consumer;

/**
 * Builds the cost batchers an application creates itself exactly as the auto-configuration builds those of
 * {@link BatchWatcher} methods (as {@link BatcherDispatchers} serves dispatchers): with the
 * {@code batcher.batchers.<name>.*} properties, meters, health, the {@code batchers} endpoint, recent events, and the
 * lifecycle: a batcher built while the context starts processes nothing before every singleton exists, and every
 * one drains on shutdown within {@code batcher.shutdown.timeout}.
 *
 * <pre>{@code
 * @Bean
 * Batcher cosmos(CostBatchers batchers) {
 *     return batchers.build("cosmos");
 * }
 *
 * @Bean
 * WatcherHandle<Order> upserts(CostBatchers batchers, Batcher cosmos, Container container) {
 *     return batchers.watcher(cosmos, "upserts", Watcher.<Order>of(ops -> container.bulkUpsert(ops)).withMaxBatchSize(100));
 * }
 * }</pre>
 */
public interface CostBatchers {

    /**
     * Builds a batcher from its properties.
     *
     * @param name the batcher name: the key under {@code batcher.batchers}, distinct from every other instance
     * @return the batcher, registered; started once the application has started
     * @throws IllegalStateException naming the property and the fix when an option is invalid, or when another
     *     instance has the name
     */
    Batcher build(String name);

    /**
     * Builds a batcher, then lets {@code customizer} adjust its configuration last, after the properties (for
     * example a capacity limiter of its own, or a drop handler).
     *
     * @param name the batcher name
     * @param customizer adjusts this batcher's configuration
     * @return the batcher
     * @throws IllegalStateException naming the property and the fix when an option is invalid, or when another
     *     instance has the name
     */
    Batcher build(String name, Consumer<BatcherConfig.Builder> customizer);

    /**
     * A handle that enqueues operations for a watcher of a batcher built here.
     *
     * @param batcher the batcher
     * @param name the watcher name, for the registry and the endpoint
     * @param watcher the watcher
     * @param <P> the payload type
     * @return the handle
     */
    <P> WatcherHandle<P> watcher(Batcher batcher, String name, Watcher<P> watcher);
}
