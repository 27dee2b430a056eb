package dev.batcher.spring;

import dev.batcher.BatchingEngine;
import dev.batcher.cost.Batcher;
import dev.batcher.dispatch.Dispatcher;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * Every batching instance of the application context by name: the dispatchers of {@link BatchSink} methods, those
 * built with {@link BatcherDispatchers}, and {@code Dispatcher} beans the application created itself; the cost
 * batchers of {@link BatchWatcher} methods, those built with {@link CostBatchers}, and {@code Batcher} beans the
 * application created itself. Names are unique across kinds. Metrics, the {@code batchers} actuator endpoint and the
 * health contributor read it; applications can use it to look instances up programmatically.
 */
public interface BatcherRegistry {

    /** The names of every known instance, dispatchers then cost batchers, each in registration order. */
    Set<String> names();

    /** The known dispatchers, in registration order. */
    Collection<Dispatcher<?>> dispatchers();

    /**
     * Finds a dispatcher.
     *
     * @param name the dispatcher name
     * @return the dispatcher, or empty when no dispatcher has this name
     */
    Optional<Dispatcher<?>> find(String name);

    /**
     * Returns a dispatcher, typed by the caller.
     *
     * @param name the dispatcher name
     * @param <T> the item type the caller expects; not checked
     * @return the dispatcher
     * @throws IllegalArgumentException when no dispatcher has this name; the message lists the known names
     */
    <T> Dispatcher<T> dispatcher(String name);

    /** The known cost batchers, in registration order. */
    Collection<Batcher> batchers();

    /**
     * Finds a cost batcher.
     *
     * @param name the batcher name
     * @return the batcher, or empty when no batcher has this name
     */
    Optional<Batcher> findBatcher(String name);

    /**
     * Returns the handle of a watcher, to enqueue operations for it.
     *
     * @param batcher the batcher name
     * @param watcher the watcher name ({@link BatchWatcher#name()}, by default the method name)
     * @param <P> the payload type the caller expects; not checked
     * @return the handle
     * @throws IllegalArgumentException when there is no such batcher or watcher; the message lists the known names
     */
    <P> WatcherHandle<P> watcher(String batcher, String watcher);

    /**
     * Every known instance of every kind (dispatchers, cost batchers, resource processors, coordinators, task
     * queues), each kind in registration order.
     *
     * @return the instances
     */
    Collection<BatchingEngine> engines();

    /**
     * Finds an instance of one kind.
     *
     * @param name the instance name
     * @param type its type, such as {@code ResourceProcessor.class}
     * @param <E> its type
     * @return the instance, or empty when no instance of that type has this name
     */
    <E extends BatchingEngine> Optional<E> find(String name, Class<E> type);
}
