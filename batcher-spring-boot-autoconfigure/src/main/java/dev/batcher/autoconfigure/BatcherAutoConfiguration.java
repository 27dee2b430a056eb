package dev.batcher.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of Batcher: one {@code Dispatcher<T>} bean per {@link dev.batcher.spring.BatchSink @BatchSink}
 * method, configured from {@code batcher.dispatchers.<name>.*} and {@link dev.batcher.spring.DispatcherCustomizer}
 * beans; a {@link dev.batcher.spring.BatcherRegistry}; and a lifecycle that drains every dispatcher on shutdown.
 */
@AutoConfiguration
@EnableConfigurationProperties(BatcherProperties.class)
public class BatcherAutoConfiguration {

    @Bean
    static BatchSinkRegistrar batchSinkRegistrar() {
        return new BatchSinkRegistrar();
    }

    @Bean
    DefaultBatcherRegistry batcherRegistry(ObjectProvider<DispatcherInstrumentation> instrumentation) {
        return new DefaultBatcherRegistry(instrumentation);
    }

    @Bean
    DispatcherFactory batcherDispatcherFactory(BatcherProperties properties,
            ConfigurableListableBeanFactory beanFactory, Environment environment, DefaultBatcherRegistry registry) {
        return new DispatcherFactory(properties, beanFactory, environment, registry);
    }

    @Bean
    BatcherLifecycle batcherLifecycle(DefaultBatcherRegistry registry, BatcherProperties properties) {
        return new BatcherLifecycle(registry, properties.getShutdown().getTimeout());
    }
}
