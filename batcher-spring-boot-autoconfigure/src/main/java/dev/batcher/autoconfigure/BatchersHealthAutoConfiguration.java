package dev.batcher.autoconfigure;

import dev.batcher.spring.BatcherRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The health contributor {@code batchers} (bean {@code batchersHealthContributor}), one child per instance, unless
 * {@code management.health.batchers.enabled=false}. Thresholds: {@code batcher.health.*}.
 */
@AutoConfiguration(after = BatcherAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnEnabledHealthIndicator("batchers")
public class BatchersHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "batchersHealthContributor")
    @ConditionalOnBean(BatcherRegistry.class)
    BatchersHealthContributor batchersHealthContributor(BatcherRegistry registry, BatcherProperties properties) {
        return new BatchersHealthContributor(registry, properties.getHealth());
    }
}
