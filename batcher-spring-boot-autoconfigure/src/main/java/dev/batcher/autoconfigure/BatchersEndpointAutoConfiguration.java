package dev.batcher.autoconfigure;

import dev.batcher.spring.BatcherRegistry;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@link BatchersEndpoint actuator endpoint} {@code batchers}, when it is enabled and exposed
 * ({@code management.endpoints.web.exposure.include=batchers}).
 */
@AutoConfiguration(after = BatcherAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint")
@ConditionalOnAvailableEndpoint(BatchersEndpoint.class)
public class BatchersEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(BatcherRegistry.class)
    BatchersEndpoint batchersEndpoint(BatcherRegistry registry) {
        return new BatchersEndpoint(registry);
    }
}
