package dev.batcher.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters of the task queue ({@code batcher.tasks.*} meters, see {@link TaskQueueMeterBinder}), when a
 * {@link MeterRegistry} bean exists. Runs after the metrics auto-configurations that create the registry.
 */
@AutoConfiguration(after = TaskQueueAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, TaskQueueView.class })
public class TaskQueueMetricsAutoConfiguration {

    @Bean
    TaskQueueMeterBinder taskQueueMeterBinder(MeterRegistry meterRegistry, TaskQueueView view) {
        return new TaskQueueMeterBinder(meterRegistry, view);
    }
}
