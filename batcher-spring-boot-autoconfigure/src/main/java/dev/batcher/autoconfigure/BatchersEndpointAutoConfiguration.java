package dev.batcher.autoconfigure;

import dev.batcher.spring.BatcherRegistry;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@link BatchersEndpoint actuator endpoint} {@code batchers}, when it is available
 * ({@code management.endpoints.web.exposure.include=batchers}), and its {@link BatchersEndpointWebExtension} for
 * HTTP. Read-only by default; {@code management.endpoint.batchers.access=unrestricted} allows flush, pause and resume.
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

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(BatchersEndpoint.class)
    @ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
    BatchersEndpointWebExtension batchersEndpointWebExtension(BatchersEndpoint endpoint, BatcherRegistry registry) {
        return new BatchersEndpointWebExtension(endpoint, registry);
    }
}
