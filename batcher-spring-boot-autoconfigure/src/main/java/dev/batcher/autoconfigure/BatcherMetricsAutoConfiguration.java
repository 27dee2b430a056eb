package dev.batcher.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters of every Batcher instance ({@code batcher.*}, tagged {@code name} and {@code kind}), when a
 * {@link MeterRegistry} bean exists. Runs after the metrics auto-configurations that create the registry.
 */
@AutoConfiguration(after = BatcherAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
public class BatcherMetricsAutoConfiguration {

    @Bean
    DispatcherMeterBinder batcherMeterBinder(MeterRegistry meterRegistry) {
        return new DispatcherMeterBinder(meterRegistry);
    }

    @Bean
    CostBatcherMeterBinder costBatcherMeterBinder(MeterRegistry meterRegistry) {
        return new CostBatcherMeterBinder(meterRegistry);
    }

    @Bean
    ResourceProcessorMeterBinder resourceProcessorMeterBinder(MeterRegistry meterRegistry) {
        return new ResourceProcessorMeterBinder(meterRegistry);
    }

    @Bean
    CoordinatorMeterBinder coordinatorMeterBinder(MeterRegistry meterRegistry) {
        return new CoordinatorMeterBinder(meterRegistry);
    }
}
