package dev.batcher.autoconfigure;

import dev.batcher.task.TaskBroker;

/**
 * Builds the broker of {@code batcher.tasks.mode=redis}; a bean of it exists when {@code batcher-redis} and a Redis
 * connection factory are there ({@link RedisTaskBrokerAutoConfiguration}).
 */
@FunctionalInterface
interface TaskBrokerFactory {

    /**
     * Builds the broker.
     *
     * @param properties {@code batcher.tasks.*}
     * @return the broker, connected
     * @throws dev.batcher.InvalidOptionException naming a {@code redis.*} option (relative to {@code batcher.tasks})
     */
    TaskBroker create(TaskProperties properties);
}
