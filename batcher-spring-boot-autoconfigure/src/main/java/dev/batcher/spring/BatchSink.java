package dev.batcher.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a bean method the {@link dev.batcher.dispatch.BatchSender sender} of the dispatcher with the given name.
 *
 * <p>The method takes exactly one parameter, either {@code List<T>} (the items of one batch) or the engine's
 * {@link dev.batcher.Batch Batch<T>} (the items plus attempt, bytes and key). Return normally when the
 * batch was stored; throw to fail it, so that it is retried or dropped according to
 * {@code batcher.dispatchers.<name>.retry.*}. The return value is ignored.
 *
 * <pre>{@code
 * @Component
 * class OrderEvents {
 *
 *     private final Dispatcher<OrderEvent> orders;
 *
 *     OrderEvents(Dispatcher<OrderEvent> orders) {   // injectable here too
 *         this.orders = orders;
 *     }
 *
 *     @BatchSink("orders")
 *     void store(List<OrderEvent> batch) {
 *         jdbc.batchUpdate(...);
 *     }
 * }
 * }</pre>
 *
 * <p>For each sink the auto-configuration registers a {@code Dispatcher<T>} bean qualified with the dispatcher name,
 * so it can be injected by generic type or with {@code @Qualifier("orders")}; its bean name,
 * {@code dev.batcher.dispatch.Dispatcher#orders}, leaves the name {@code orders} to the application (the sink's own
 * bean may have it). The dispatcher is configured from {@code batcher.defaults.*}, then
 * {@code batcher.dispatchers.<name>.*}, then {@link DispatcherCustomizer} beans.
 *
 * <p>Sinks are found on bean definitions before any bean is created, from the bean class or the declared return
 * type of its {@code @Bean} method: declare the class that holds the annotated method, not an interface.
 * Startup fails with a message naming the bean, the method and the fix for a wrong signature, two sinks for one
 * name, or a configured dispatcher without a sink.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface BatchSink {

    /**
     * The dispatcher name: the qualifier of the {@code Dispatcher} bean and the key under {@code batcher.dispatchers}.
     *
     * @return the dispatcher name, not blank
     */
    String value();
}
