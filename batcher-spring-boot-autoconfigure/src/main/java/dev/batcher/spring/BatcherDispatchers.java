package dev.batcher.spring;

import dev.batcher.dispatch.BatchSender;
import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherConfig;
import java.util.function.Consumer;

/**
 * Builds the dispatchers an application creates itself exactly as the auto-configuration builds those of
 * {@link BatchSink} methods (the way Spring Boot's {@code ThreadPoolTaskExecutorBuilder} serves executors): with the
 * {@code batcher.defaults.*} and {@code batcher.dispatchers.<name>.*} properties, the {@code <name>RetryPolicy} and
 * {@code <name>BackOffPolicy} beans, the {@link DispatcherCustomizer} beans, meters, health, the {@code batchers}
 * endpoint, logging, and the lifecycle: a dispatcher built while the context starts sends nothing before every
 * singleton exists, and every one drains on shutdown within {@code batcher.shutdown.timeout}.
 *
 * <pre>{@code
 * @Bean
 * Dispatcher<Invoice> invoices(BatcherDispatchers dispatchers, InvoiceClient client) {
 *     return dispatchers.build("invoices", Invoice.class, batch -> client.upload(batch.items()));
 * }
 * }</pre>
 *
 * <p>An invalid option fails with the property, its value and the fix. A {@code Dispatcher} bean created with
 * {@link Dispatcher#create} instead still gets meters, health, the endpoint and the drain, but startup fails when
 * {@code batcher.dispatchers.<its name>.*} is configured, since those properties could not reach it.
 */
public interface BatcherDispatchers {

    /**
     * Builds a dispatcher for items of one type; customizers apply when their type argument fits {@code itemType}.
     *
     * @param name the dispatcher name: the key under {@code batcher.dispatchers}, distinct from every other one
     * @param itemType the item type
     * @param sender sends each batch
     * @param <T> the item type
     * @return the running dispatcher, registered for meters, health, the endpoint and the drain
     * @throws IllegalStateException naming the property and the fix when an option is invalid, or when another
     *     dispatcher has the name
     */
    <T> Dispatcher<T> build(String name, Class<T> itemType, BatchSender<T> sender);

    /**
     * Builds a dispatcher, then lets {@code customizer} adjust its configuration last, after the properties and the
     * customizer beans.
     *
     * @param name the dispatcher name
     * @param itemType the item type
     * @param sender sends each batch
     * @param customizer adjusts this dispatcher's configuration, for example to set an item sizer
     * @param <T> the item type
     * @return the running dispatcher
     * @throws IllegalStateException naming the property and the fix when an option is invalid, or when another
     *     dispatcher has the name
     */
    <T> Dispatcher<T> build(String name, Class<T> itemType, BatchSender<T> sender,
            Consumer<DispatcherConfig.Builder<T>> customizer);

    /**
     * Builds a dispatcher whose item type is not given: only customizers declared for {@code Object} (or whose type
     * argument cannot be seen) apply.
     *
     * @param name the dispatcher name
     * @param sender sends each batch
     * @param <T> the item type
     * @return the running dispatcher
     * @throws IllegalStateException naming the property and the fix when an option is invalid, or when another
     *     dispatcher has the name
     */
    <T> Dispatcher<T> build(String name, BatchSender<T> sender);
}
