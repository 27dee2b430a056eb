package dev.batcher.autoconfigure;

import dev.batcher.limit.CapacityLimiter;

/**
 * Makes the capacity limiter of a batcher whose capacity is shared ({@code batcher.batchers.<name>.shared.*});
 * provided by {@link SharedCapacityAutoConfiguration} when {@code batcher-redis} and a {@code RedisConnectionFactory}
 * are present.
 */
@FunctionalInterface
interface SharedCapacityFactory {

    /**
     * Creates the limiter; the batcher starts it and closes it.
     *
     * @param batcherName the batcher name, the shared resource's name unless {@code shared.name} is set
     * @param shared the options
     * @return the limiter
     * @throws dev.batcher.InvalidOptionException naming the {@code shared.*} option when a value is out of range
     */
    CapacityLimiter create(String batcherName, CostBatcherProperties.Shared shared);
}
