package dev.batcher.spring;

import dev.batcher.dispatch.Dispatcher;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * Every batching instance of the application context by name: the dispatchers of {@link BatchSink} methods, those
 * built with {@link BatcherDispatchers}, and {@code Dispatcher} beans the application created itself. Metrics, the {@code batchers} actuator endpoint and the
 * health contributor read it; applications can use it to look instances up programmatically.
 */
public interface BatcherRegistry {

    /** The names of the known dispatchers, in registration order. */
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
}
