package dev.batcher.autoconfigure;

import dev.batcher.resource.ResourceProcessor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the resource processors (elgopher/batch): one {@code ResourceProcessor<K, R>} bean per
 * processor name of a {@link dev.batcher.spring.ProcessorStore @ProcessorStore} store bean or of
 * {@code batcher.processors.<name>} with a store bean of that name, configured from
 * {@code batcher.processor-defaults.*} and {@code batcher.processors.<name>.*}; and a
 * {@link dev.batcher.spring.ResourceProcessors} bean that builds the application's own processors the same way. They
 * share the registry and the lifecycle of {@link BatcherAutoConfiguration}: batches run once the application has
 * started, and every processor drains on shutdown.
 */
@AutoConfiguration(after = BatcherAutoConfiguration.class)
public class ResourceProcessorAutoConfiguration {

    @Bean
    static ProcessorStoreRegistrar processorStoreRegistrar() {
        return new ProcessorStoreRegistrar();
    }

    @Bean
    ResourceProcessorFactory resourceProcessors(BatcherProperties properties, Environment environment,
            DefaultBatcherRegistry registry,
            ObjectProvider<EngineInstrumentation<ResourceProcessor<?, ?>, ProcessorObserver>> instrumentation) {
        return new ResourceProcessorFactory(properties, environment, registry, instrumentation);
    }
}
