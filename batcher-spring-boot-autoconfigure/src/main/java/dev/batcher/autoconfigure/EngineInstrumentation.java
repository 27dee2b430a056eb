package dev.batcher.autoconfigure;

import dev.batcher.BatchingEngine;

/**
 * Binds meters to the engines of one kind (resource processors, coordinators); implemented by the metrics
 * auto-configuration, so that the starter works without Micrometer.
 *
 * @param <E> the engine type
 * @param <O> what the starter observes of it
 */
interface EngineInstrumentation<E extends BatchingEngine, O> {

    /**
     * Binds the meters of an engine.
     *
     * @param engine a registered engine
     * @param observer its observer, already listening
     */
    void bind(E engine, O observer);

    /**
     * Removes every meter of an engine. Safe to call more than once.
     *
     * @param name the engine name
     */
    void unbind(String name);
}
