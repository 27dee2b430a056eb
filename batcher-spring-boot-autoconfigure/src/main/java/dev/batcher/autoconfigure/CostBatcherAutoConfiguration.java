package dev.batcher.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the cost batchers (go-batcher): one {@link dev.batcher.cost.Batcher} bean per batcher name
 * of {@link dev.batcher.spring.BatchWatcher @BatchWatcher} methods and one {@link dev.batcher.spring.WatcherHandle}
 * bean per watcher, configured from {@code batcher.batchers.<name>.*}; a {@link dev.batcher.spring.CostBatchers} bean
 * that builds the application's own batchers the same way. They share the registry and the lifecycle of
 * {@link BatcherAutoConfiguration}: started once every singleton exists, drained on shutdown.
 */
@AutoConfiguration(after = BatcherAutoConfiguration.class)
public class CostBatcherAutoConfiguration {

    @Bean
    static BatchWatcherRegistrar batchWatcherRegistrar() {
        return new BatchWatcherRegistrar();
    }

    @Bean
    CostBatcherFactory costBatchers(BatcherProperties properties, ConfigurableListableBeanFactory beanFactory,
            Environment environment, DefaultBatcherRegistry registry,
            ObjectProvider<SharedCapacityFactory> sharedCapacity) {
        return new CostBatcherFactory(properties, beanFactory, environment, registry, sharedCapacity);
    }
}
