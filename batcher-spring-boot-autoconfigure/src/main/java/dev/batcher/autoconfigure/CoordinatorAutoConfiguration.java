package dev.batcher.autoconfigure;

import dev.batcher.coordinate.Coordinator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the commit coordinators (nikandfor/batch): one {@code Coordinator<S, R>} bean per
 * {@link dev.batcher.spring.BatchCommit @BatchCommit} method, configured from {@code batcher.coordinator-defaults.*}
 * and {@code batcher.coordinators.<name>.*}; and a {@link dev.batcher.spring.Coordinators} bean that builds the
 * application's own coordinators the same way. They share the registry and the lifecycle of
 * {@link BatcherAutoConfiguration}: every coordinator drains on shutdown.
 */
@AutoConfiguration(after = BatcherAutoConfiguration.class)
public class CoordinatorAutoConfiguration {

    @Bean
    static BatchCommitRegistrar batchCommitRegistrar() {
        return new BatchCommitRegistrar();
    }

    @Bean
    CoordinatorFactory coordinators(BatcherProperties properties, ConfigurableListableBeanFactory beanFactory,
            Environment environment, DefaultBatcherRegistry registry,
            ObjectProvider<EngineInstrumentation<Coordinator<?, ?>, CoordinatorObserver>> instrumentation) {
        return new CoordinatorFactory(properties, beanFactory, environment, registry, instrumentation);
    }
}
