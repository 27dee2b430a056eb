package dev.batcher.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.core.annotation.AliasFor;

/**
 * Makes a bean method a {@link dev.batcher.cost.Watcher watcher} of the cost batcher (go-batcher) with the given
 * name: it processes batches of that watcher's operations, with its own max batch size, max attempts and max
 * operation time. One batcher (one per datastore, {@code batcher.batchers.<name>.*}) serves many watchers.
 *
 * <p>A sibling of {@link BatchSink} rather than an attribute of it: a dispatcher has exactly one sink, a batcher many
 * watchers, each with its own limits and its own producer handle.
 *
 * <p>The method takes one parameter: {@code List<Operation<P>>} (the operations with their cost and attempt) or
 * {@code List<P>} (the payloads). Return normally when the batch was stored; throw
 * {@link dev.batcher.cost.ThrottledException} when the datastore throttles (the batcher pauses, lowers its pace and
 * retries the batch), anything else to fail the batch (its operations are dropped).
 *
 * <pre>{@code
 * @Component
 * class Orders {
 *
 *     private final WatcherHandle<Order> upserts;
 *
 *     Orders(WatcherHandle<Order> upserts) {        // or @Qualifier("upserts") WatcherHandle<Order>
 *         this.upserts = upserts;
 *     }
 *
 *     void save(Order order) {
 *         upserts.enqueue(10, order);                // cost 10 units
 *     }
 *
 *     @BatchWatcher(batcher = "cosmos", maxBatchSize = 100, maxAttempts = 3, maxOperationTime = "10s")
 *     void upserts(List<Order> orders) {
 *         container.bulkUpsert(orders);
 *     }
 * }
 * }</pre>
 *
 * <p>For each batcher name the auto-configuration registers a {@link dev.batcher.cost.Batcher} bean qualified with
 * that name (bean name {@code dev.batcher.cost.Batcher#<name>}), and for each watcher a {@link WatcherHandle
 * WatcherHandle<P>} bean qualified with the watcher name (bean name
 * {@code dev.batcher.spring.WatcherHandle#<batcher>.<watcher>}), injectable by generic type. Startup fails with a
 * message naming the bean, the method and the fix for a wrong signature, two watchers with one name in a batcher, an
 * invalid attribute, or a configured batcher without a watcher.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface BatchWatcher {

    /**
     * Alias for {@link #batcher()}.
     *
     * @return the batcher name
     */
    @AliasFor("batcher")
    String value() default "";

    /**
     * The batcher name: the qualifier of the {@code Batcher} bean and the key under {@code batcher.batchers}.
     *
     * @return the batcher name, not blank
     */
    @AliasFor("value")
    String batcher() default "";

    /**
     * The watcher name: the qualifier of its {@link WatcherHandle} bean, in logs and in the endpoint. Default: the
     * method name.
     *
     * @return the watcher name
     */
    String name() default "";

    /**
     * Operations per batch at most [WithMaxBatchSize]; 0 for no limit.
     *
     * @return the max batch size
     */
    int maxBatchSize() default 0;

    /**
     * Times an operation may be handed to this watcher; an operation enqueued again beyond it is refused
     * [WithMaxAttempts]; 0 for no limit.
     *
     * @return the max attempts
     */
    int maxAttempts() default 0;

    /**
     * How long a batch may run before it counts as done (its thread is then interrupted), such as {@code "10s"}
     * [WithMaxOperationTime]; empty for the batcher's {@code max-operation-time}. Placeholders
     * ({@code "${orders.timeout}"}) are resolved.
     *
     * @return the max operation time, as a duration such as {@code 10s}, or empty
     */
    String maxOperationTime() default "";
}
