package dev.batcher.autoconfigure;

import dev.batcher.InvalidOptionException;
import dev.batcher.RetryOptions;
import dev.batcher.task.TaskBroker;
import dev.batcher.task.TaskIdMaker;
import dev.batcher.task.TaskMarshaller;
import dev.batcher.task.TaskQueue;
import dev.batcher.task.TaskQueueConfig;
import dev.batcher.task.TaskRegistry;
import java.util.function.Supplier;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.env.Environment;

/**
 * Builds the application's task queue from {@code batcher.tasks.*}: binds the properties (remembering which keys the
 * configuration set, and where), passes them to {@link TaskQueueConfig} with the application's
 * {@link TaskMarshaller} and {@link TaskIdMaker} beans if any, builds the Redis broker in {@code redis} mode, and
 * registers the queue's {@link TaskQueueView} so that the lifecycle starts and drains it and the endpoint and health
 * show it. An invalid option fails with an {@link InvalidTaskPropertyException} naming the property, its value and
 * the fix; {@code mode=redis} without a Redis connection fails saying what to add.
 */
final class TaskQueueFactory {

    /** The properties' prefix. */
    static final String PREFIX = "batcher.tasks";

    /** The queue's name in the registry, the endpoint, health, threads and the {@code name} tag of its meters. */
    static final String QUEUE_NAME = "tasks";

    private TaskQueueFactory() {
    }

    /**
     * Builds and registers the queue.
     *
     * @param environment the environment holding {@code batcher.tasks.*}
     * @param registry the tasks ({@code @TaskWorker} methods are added to it as their beans are created)
     * @param brokers builds the Redis broker, or {@code null} when there is no Redis connection factory
     * @param marshaller the application's marshaller, or {@code null} for JSON
     * @param idMaker the application's id maker, or {@code null} for UUIDs
     * @param batchers the starter's registry
     * @return the view of the queue, registered
     */
    static TaskQueueView create(Environment environment, TaskRegistry registry, TaskBrokerFactory brokers,
            TaskMarshaller marshaller, TaskIdMaker idMaker, DefaultBatcherRegistry batchers) {
        TaskProperties properties = new TaskProperties();
        ConfiguredOptions configured = ConfiguredOptions.bind(environment, properties,
                ConfigurationPropertyName.of(PREFIX));
        TaskQueueConfig config = validated(configured, () -> config(properties, marshaller, idMaker));
        TaskBroker broker = null;
        if (properties.getMode() == TaskProperties.Mode.REDIS) {
            if (brokers == null) {
                throw new BatcherStartupException("batcher.tasks.mode=redis needs a Redis connection, but there is "
                        + "no RedisConnectionFactory bean (or dev.batcher:batcher-redis is not on the classpath).",
                        "Add the dependencies dev.batcher:batcher-redis and "
                                + "org.springframework.boot:spring-boot-starter-data-redis and set spring.data.redis.* "
                                + "(host, port), or set batcher.tasks.mode=local to run every task in this process.");
            }
            broker = validated(configured, () -> brokers.create(properties));
        }
        TaskQueue queue;
        try {
            TaskBroker chosen = broker;
            queue = validated(configured, () -> TaskQueue.create(QUEUE_NAME, config, registry, chosen));
        }
        catch (RuntimeException ex) {
            if (broker != null) {
                broker.close();
            }
            throw ex;
        }
        TaskQueueView view = new TaskQueueView(queue, broker);
        try {
            batchers.registerEngine(view, "the task queue (batcher.tasks.*)");
        }
        catch (RuntimeException ex) {
            queue.shutdownNow();
            view.closed();
            throw ex;
        }
        return view;
    }

    private static TaskQueueConfig config(TaskProperties properties, TaskMarshaller marshaller, TaskIdMaker idMaker) {
        TaskQueueConfig.Builder builder = TaskQueueConfig.builder()
                .mode((properties.getMode() == TaskProperties.Mode.REDIS) ? TaskQueueConfig.Mode.REMOTE
                        : TaskQueueConfig.Mode.LOCAL)
                .role(properties.getRole())
                .concurrency(properties.getConcurrency())
                .timeout(properties.getTimeout())
                .drainTimeout(properties.getDrainTimeout());
        properties.getWorkers().forEach((name, worker) -> {
            if (worker.getConcurrency() != null) {
                builder.concurrency(name, worker.getConcurrency());
            }
        });
        TaskProperties.Retry retry = properties.getRetry();
        builder.retry(new RetryOptions(retry.getMaxAttempts(), retry.getInitialBackoff(), retry.getMultiplier(),
                retry.getMaxBackoff()));
        long payload = properties.getMaxPayloadBytes().toBytes();
        if (payload > Integer.MAX_VALUE) {
            throw new InvalidOptionException("max-payload-bytes", properties.getMaxPayloadBytes(),
                    "must be at most 2GB, such as 1MB");
        }
        builder.maxPayloadBytes((int) payload);
        if (marshaller != null) {
            builder.marshaller(marshaller);
        }
        if (idMaker != null) {
            builder.idMaker(idMaker);
        }
        return builder.build();
    }

    private static <R> R validated(ConfiguredOptions configured, Supplier<R> action) {
        try {
            return action.get();
        }
        catch (InvalidOptionException ex) {
            throw InvalidTaskPropertyException.of(configured, ex);
        }
    }
}
