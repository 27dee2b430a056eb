package dev.batcher.autoconfigure;

import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherListener;

/** Binds observability (meters) to dispatchers; implemented by the metrics auto-configuration. */
interface DispatcherInstrumentation {

    /**
     * Creates the listener that records per-batch events of a dispatcher about to be created.
     *
     * @param name the dispatcher name
     * @return the listener
     */
    DispatcherListener listener(String name);

    /**
     * Binds the meters read from {@link Dispatcher#stats()}.
     *
     * @param dispatcher a running dispatcher
     */
    void bind(Dispatcher<?> dispatcher);

    /**
     * Removes every meter of a dispatcher. Safe to call more than once.
     *
     * @param name the dispatcher name
     */
    void unbind(String name);
}
