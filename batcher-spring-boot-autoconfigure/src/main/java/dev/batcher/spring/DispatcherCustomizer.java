package dev.batcher.spring;

import dev.batcher.dispatch.DispatcherConfig;
import java.util.function.Consumer;

/**
 * Adjusts the configuration of the starter's dispatchers (those of {@link BatchSink} methods and those built with
 * {@link BatcherDispatchers}) in code, for what properties cannot express: error and drop handlers, item sizer, key
 * extractor, listener, send gate. The starter composes its own listener, drop handler and drained callback (meters,
 * logging, drain) with the ones set here.
 *
 * <p>Every customizer bean is called for every dispatcher whose item type fits its type argument (a
 * {@code DispatcherCustomizer<OrderEvent>} is not called for a {@code Dispatcher<Invoice>}; when the type argument
 * cannot be resolved, for example for a lambda bean, the customizer is called for every dispatcher). Customizers run
 * in {@link org.springframework.core.annotation.Order @Order}, after the properties were applied, so they win over
 * them. Use {@link #forDispatcher(String, Consumer)} to target a single dispatcher:
 *
 * <pre>{@code
 * @Bean
 * DispatcherCustomizer<OrderEvent> ordersByCustomer() {
 *     return DispatcherCustomizer.forDispatcher("orders", builder -> builder
 *             .keyExtractor(OrderEvent::customerId)
 *             .itemSizer(event -> event.payload().length()));
 * }
 * }</pre>
 *
 * @param <T> the item type of the dispatchers this customizer applies to
 */
@FunctionalInterface
public interface DispatcherCustomizer<T> {

    /**
     * Customizes the configuration of one dispatcher.
     *
     * @param name the dispatcher name
     * @param builder its configuration, with the properties applied
     */
    void customize(String name, DispatcherConfig.Builder<T> builder);

    /**
     * A customizer that applies to one dispatcher only.
     *
     * @param name the dispatcher name
     * @param customizer what to do with its builder
     * @param <T> the item type
     * @return the customizer
     */
    static <T> DispatcherCustomizer<T> forDispatcher(String name, Consumer<DispatcherConfig.Builder<T>> customizer) {
        return (dispatcherName, builder) -> {
            if (dispatcherName.equals(name)) {
                customizer.accept(builder);
            }
        };
    }
}
