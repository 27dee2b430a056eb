package dev.batcher.autoconfigure;

import dev.batcher.redis.RedisSharedCapacity;
import dev.batcher.redis.SharedCapacityOptions;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Shared capacity of cost batchers on Redis ({@code batcher.batchers.<name>.shared.*}, go-batcher's shared resource):
 * when {@code batcher-redis} is on the classpath and a {@link RedisConnectionFactory} bean exists (Spring Boot's
 * {@code spring-boot-starter-data-redis}), a batcher with {@code shared.capacity} gets a {@link RedisSharedCapacity}
 * limiter on that connection factory.
 */
@AutoConfiguration(before = CostBatcherAutoConfiguration.class,
        afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ RedisSharedCapacity.class, RedisConnectionFactory.class })
@ConditionalOnBean(RedisConnectionFactory.class)
public class SharedCapacityAutoConfiguration {

    @Bean
    SharedCapacityFactory redisSharedCapacityFactory(RedisConnectionFactory connectionFactory) {
        return (batcherName, shared) -> new RedisSharedCapacity(connectionFactory, options(batcherName, shared));
    }

    static SharedCapacityOptions options(String batcherName, CostBatcherProperties.Shared shared) {
        long capacity = shared.getCapacity();
        long partitionSize = (shared.getPartitionSize() != null) ? shared.getPartitionSize()
                : Math.max(1, (capacity + SharedCapacityOptions.MAX_PARTITIONS - 1) / SharedCapacityOptions.MAX_PARTITIONS);
        String name = (shared.getName() != null) ? shared.getName() : batcherName;
        return new SharedCapacityOptions(name, capacity, partitionSize, shared.getReservedCapacity(),
                shared.getLeaseTime(), shared.getMaxInterval(), shared.getInstanceId());
    }
}
