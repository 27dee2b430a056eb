package dev.batcher.autoconfigure;

import dev.batcher.InvalidOptionException;
import dev.batcher.redis.RedisTaskBroker;
import dev.batcher.redis.RedisTaskBrokerOptions;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The task queue's Redis Streams broker ({@code batcher.tasks.mode=redis}): when {@code batcher-redis} is on the
 * classpath and a {@link RedisConnectionFactory} bean exists (Spring Boot's {@code spring-boot-starter-data-redis}),
 * the queue gets a {@link RedisTaskBroker} on that connection factory, with {@code batcher.tasks.redis.*}. Without
 * them, {@code mode=redis} fails startup saying what to add.
 */
@AutoConfiguration(before = TaskQueueAutoConfiguration.class,
        afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ RedisTaskBroker.class, RedisConnectionFactory.class })
@ConditionalOnBean(RedisConnectionFactory.class)
public class RedisTaskBrokerAutoConfiguration {

    @Bean
    TaskBrokerFactory redisTaskBrokerFactory(RedisConnectionFactory connectionFactory) {
        return properties -> {
            if (!(connectionFactory instanceof LettuceConnectionFactory lettuce)) {
                throw new BatcherStartupException("batcher.tasks.mode=redis needs a Lettuce connection factory; the "
                        + "application's RedisConnectionFactory is a " + connectionFactory.getClass().getName() + ".",
                        "Use Lettuce (the default client of spring-boot-starter-data-redis) instead of Jedis.");
            }
            return new RedisTaskBroker(lettuce, options(properties));
        };
    }

    static RedisTaskBrokerOptions options(TaskProperties properties) {
        TaskProperties.Redis redis = properties.getRedis();
        long payload = properties.getMaxPayloadBytes().toBytes();
        if (payload > Integer.MAX_VALUE) {
            throw new InvalidOptionException("max-payload-bytes", properties.getMaxPayloadBytes(),
                    "must be at most 512MB (Redis' largest string)");
        }
        try {
            return new RedisTaskBrokerOptions(redis.getKeyPrefix(), redis.getReclaimIdleTime(), redis.getMaxDeliveries(),
                    redis.getResultTtl(), (int) payload, redis.getBlockTimeout(), redis.getReadBatch(),
                    redis.getDelayedPollInterval(), redis.getInstanceId());
        }
        catch (InvalidOptionException ex) {
            String option = ex.getOption();
            String relative = (option.startsWith("redis.") || option.equals("max-payload-bytes")) ? option
                    : "redis." + option;
            throw new InvalidOptionException(relative, ex.getValue(), ex.getProblem(), ex.isDefaultValue());
        }
    }
}
