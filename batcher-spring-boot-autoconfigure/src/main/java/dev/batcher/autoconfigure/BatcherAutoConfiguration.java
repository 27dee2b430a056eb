package dev.batcher.autoconfigure;

import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of Batcher: one {@code Dispatcher<T>} bean per {@link dev.batcher.spring.BatchSink @BatchSink}
 * method, configured from {@code batcher.defaults.*}, {@code batcher.dispatchers.<name>.*} and
 * {@link dev.batcher.spring.DispatcherCustomizer} beans; a {@link dev.batcher.spring.BatcherDispatchers} bean that
 * builds the application's own dispatchers the same way; a {@link dev.batcher.spring.BatcherRegistry}; and a
 * lifecycle that starts every instance once the context has started and drains them on shutdown (cost batchers
 * are wired by {@link CostBatcherAutoConfiguration} on the same registry and lifecycle).
 */
@AutoConfiguration
@EnableConfigurationProperties(BatcherProperties.class)
public class BatcherAutoConfiguration {

    /** Spring's own default of {@code spring.lifecycle.timeout-per-shutdown-phase}. */
    private static final Duration DEFAULT_PHASE_TIMEOUT = Duration.ofSeconds(30);

    @Bean
    static BatchSinkRegistrar batchSinkRegistrar() {
        return new BatchSinkRegistrar();
    }

    @Bean
    DefaultBatcherRegistry batcherRegistry(ObjectProvider<DispatcherInstrumentation> instrumentation,
            ObjectProvider<CostBatcherInstrumentation> batcherInstrumentation, BatcherProperties properties) {
        return new DefaultBatcherRegistry(instrumentation, batcherInstrumentation,
                properties.getDispatchers().keySet(), properties.getBatchers().keySet());
    }

    @Bean
    DispatcherFactory batcherDispatchers(BatcherProperties properties, ConfigurableListableBeanFactory beanFactory,
            Environment environment, DefaultBatcherRegistry registry) {
        return new DispatcherFactory(properties, beanFactory, environment, registry);
    }

    @Bean
    BatcherLifecycle batcherLifecycle(DefaultBatcherRegistry registry, BatcherProperties properties,
            Environment environment) {
        Duration phaseTimeout = Binder.get(environment)
                .bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
                .orElse(DEFAULT_PHASE_TIMEOUT);
        return new BatcherLifecycle(registry, properties.getShutdown().getTimeout(), phaseTimeout);
    }
}
