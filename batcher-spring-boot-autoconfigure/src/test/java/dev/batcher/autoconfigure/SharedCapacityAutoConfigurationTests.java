package dev.batcher.autoconfigure;

import static dev.batcher.autoconfigure.BatcherAutoConfigurationTests.assertStartupFailure;
import static dev.batcher.autoconfigure.TestWatchers.batcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.autoconfigure.TestWatchers.BlockingWatcher;
import dev.batcher.autoconfigure.TestWatchers.CosmosWatchers;
import dev.batcher.autoconfigure.TestWatchers.Order;
import dev.batcher.redis.RedisServerExtension;
import dev.batcher.redis.RedisSharedCapacity;
import dev.batcher.redis.SharedCapacityOptions;
import dev.batcher.spring.BatcherRegistry;
import dev.batcher.spring.WatcherHandle;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * {@link SharedCapacityAutoConfiguration}: {@code batcher.batchers.<name>.shared.*} on a real {@code redis-server}
 * (the Debian package, started on a free loopback port for this class by {@link RedisServerExtension}).
 */
class SharedCapacityAutoConfigurationTests {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BatcherAutoConfiguration.class,
                    CostBatcherAutoConfiguration.class, SharedCapacityAutoConfiguration.class));

    @Test
    void aSharedCapacityIsLeasedFromRedisAndShownAsPartitionsHeld() {
        this.contextRunner.withBean(LettuceConnectionFactory.class, redis::newConnectionFactory)
                .withBean(BlockingWatcher.class)
                .withPropertyValues("batcher.batchers.cosmos.shared.capacity=1000",
                        "batcher.batchers.cosmos.shared.partition-size=100",
                        "batcher.batchers.cosmos.shared.reserved-capacity=50",
                        "batcher.batchers.cosmos.shared.max-interval=50ms",
                        "batcher.batchers.cosmos.shared.lease-time=1s",
                        "batcher.batchers.cosmos.capacity-interval=20ms",
                        "batcher.batchers.cosmos.flush-interval=10ms")
                .run(context -> {
                    RedisSharedCapacity limiter = (RedisSharedCapacity) batcher(context, "cosmos").config()
                            .capacityLimiter();
                    SharedCapacityOptions options = limiter.options();
                    assertThat(options.name()).isEqualTo("cosmos");
                    assertThat(options.partitionCount()).isEqualTo(10);
                    assertThat(options.maxCapacity()).isEqualTo(1050);
                    WatcherHandle<Order> upserts = context.getBean(BatcherRegistry.class).watcher("cosmos", "upserts");
                    upserts.enqueue(200, new Order("a"));
                    upserts.enqueue(200, new Order("b"));
                    BatcherObserver observer = context.getBean(DefaultBatcherRegistry.class).observer("cosmos");
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        assertThat(batcher(context, "cosmos").stats().grantedCapacity()).isGreaterThanOrEqualTo(400);
                        assertThat(observer.partitionsHeld()).isEqualTo(limiter.heldPartitions()).isPositive();
                    });
                    context.getBean(BlockingWatcher.class).release.countDown();
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                            assertThat(observer.partitionsHeld()).isZero());
                });
    }

    @Test
    void theSharedNameAndDefaultPartitionSizeFollowTheProperties() {
        CostBatcherProperties.Shared shared = new CostBatcherProperties.Shared();
        shared.setCapacity(26_000L);
        SharedCapacityOptions options = SharedCapacityAutoConfiguration.options("cosmos", shared);
        assertThat(options.name()).isEqualTo("cosmos");
        assertThat(options.partitionSize()).isEqualTo(52);
        assertThat(options.leaseTime()).isEqualTo(SharedCapacityOptions.DEFAULT_LEASE_TIME);
        assertThat(options.maxInterval()).isEqualTo(SharedCapacityOptions.DEFAULT_MAX_INTERVAL);
        shared.setName("orders-db");
        assertThat(SharedCapacityAutoConfiguration.options("cosmos", shared).name()).isEqualTo("orders-db");
    }

    @Test
    void aSharedCapacityWithoutARedisConnectionFactoryFailsStartup() {
        this.contextRunner.withBean(CosmosWatchers.class)
                .withPropertyValues("batcher.batchers.cosmos.shared.capacity=1000")
                .run(context -> assertStartupFailure(context, "Batcher 'cosmos' has a shared capacity "
                        + "(batcher.batchers.cosmos.shared.capacity=1000), which needs Redis",
                        "Add the dependencies dev.batcher:batcher-redis and "
                                + "org.springframework.boot:spring-boot-starter-data-redis"));
    }

    @Test
    void aProvisionedAndASharedCapacityTogetherFailStartup() {
        this.contextRunner.withBean(LettuceConnectionFactory.class, redis::newConnectionFactory)
                .withBean(CosmosWatchers.class)
                .withPropertyValues("batcher.batchers.cosmos.shared.capacity=1000", "batcher.batchers.cosmos.capacity=10")
                .run(context -> assertStartupFailure(context, "batcher.batchers.cosmos.capacity=10: cannot be set "
                        + "with shared.capacity"));
    }

    @Test
    void anInvalidSharedOptionFailsStartupNamingItsProperty() {
        this.contextRunner.withBean(LettuceConnectionFactory.class, redis::newConnectionFactory)
                .withBean(CosmosWatchers.class)
                .withPropertyValues("batcher.batchers.cosmos.shared.capacity=1000",
                        "batcher.batchers.cosmos.shared.lease-time=1s", "batcher.batchers.cosmos.shared.max-interval=500ms")
                .run(context -> assertStartupFailure(context,
                        "batcher.batchers.cosmos.shared.lease-time=1s: must be at least 3 times shared.max-interval"));
    }
}
