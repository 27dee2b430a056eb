package dev.batcher.autoconfigure;

import dev.batcher.task.TaskIdMaker;
import dev.batcher.task.TaskMarshaller;
import dev.batcher.task.TaskQueue;
import dev.batcher.task.TaskRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the task queue (dingo), {@code batcher.tasks.*}: a {@link TaskRegistry} bean that every
 * {@link dev.batcher.spring.TaskWorker @TaskWorker} method is registered in, and one {@link TaskQueue} bean, which
 * is also the injectable {@link dev.batcher.task.TaskClient}. Local mode (the default) runs every call in this
 * process; {@code mode=redis} goes through the Redis Streams broker of {@link RedisTaskBrokerAutoConfiguration}.
 * The queue shares the registry and lifecycle of {@link BatcherAutoConfiguration}: started (its workers consume)
 * once every singleton exists, drained within {@code batcher.shutdown.timeout} on shutdown, shown by the
 * {@code batchers} endpoint and health as {@code tasks}. An application's own {@link TaskMarshaller} or
 * {@link TaskIdMaker} bean replaces the default one.
 */
@AutoConfiguration(after = BatcherAutoConfiguration.class)
public class TaskQueueAutoConfiguration {

    @Bean
    static TaskWorkerRegistrar taskWorkerRegistrar() {
        return new TaskWorkerRegistrar();
    }

    @Bean
    @ConditionalOnMissingBean
    TaskRegistry taskRegistry() {
        return new TaskRegistry();
    }

    @Bean
    TaskQueueView taskQueueView(Environment environment, TaskRegistry taskRegistry,
            ObjectProvider<TaskBrokerFactory> brokers, ObjectProvider<TaskMarshaller> marshaller,
            ObjectProvider<TaskIdMaker> idMaker, DefaultBatcherRegistry registry) {
        return TaskQueueFactory.create(environment, taskRegistry, brokers.getIfAvailable(),
                marshaller.getIfUnique(), idMaker.getIfUnique(), registry);
    }

    // Drained by BatcherLifecycle and closed by DefaultBatcherRegistry, not by inference.
    @Bean(destroyMethod = "")
    TaskQueue taskQueue(TaskQueueView view) {
        return view.queue();
    }
}
