package dev.batcher.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.limit.CapacityEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Three instances share one capacity while their targets change at random. */
class SharedCapacityClusterTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final long SHARED = 20;
    private static final long PARTITION = 3; // 7 partitions: six of 3 and one of 2
    private static final long[] RESERVED = {2, 3, 0};

    private final List<RedisSharedCapacity> limiters = new ArrayList<>();
    private final ScheduledExecutorService changer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void closeAll() {
        changer.shutdownNow();
        limiters.forEach(RedisSharedCapacity::close);
    }

    @Test
    void theGrantedTotalNeverExceedsTheSharedCapacityPlusTheReservedCapacitiesWhileTargetsChangeAtRandom()
            throws InterruptedException {
        String name = "cluster-" + UUID.randomUUID();
        redis.newTemplate().opsForValue().set(PartitionLeases.epochKey(name), "test");
        List<Events> events = new ArrayList<>();
        for (long reserved : RESERVED) {
            Events recorder = new Events();
            RedisSharedCapacity limiter = new RedisSharedCapacity(redis.newConnectionFactory(),
                    new SharedCapacityOptions(name, SHARED, PARTITION, reserved, Duration.ofMillis(1_500),
                            Duration.ofMillis(100), null));
            limiter.addListener(recorder);
            limiter.start();
            limiters.add(limiter);
            events.add(recorder);
        }
        long bound = SHARED + RESERVED[0] + RESERVED[1] + RESERVED[2];
        Random random = new Random(42);
        CountDownLatch changes = new CountDownLatch(60);

        try (CapacitySampler sampler = new CapacitySampler(limiters)) {
            // Every 20 to 150 ms, one instance gets a new target between 0 and 18: together they often want more
            // than there is, and they give back and take partitions all the time.
            Runnable change = new Runnable() {
                @Override
                public void run() {
                    RedisSharedCapacity limiter = limiters.get(random.nextInt(limiters.size()));
                    limiter.setTarget(random.nextInt(19));
                    changes.countDown();
                    if (changes.getCount() > 0) {
                        changer.schedule(this, 20 + random.nextInt(131), TimeUnit.MILLISECONDS);
                    }
                }
            };
            changer.execute(change);
            assertThat(changes.await(30, TimeUnit.SECONDS)).isTrue();

            assertThat(sampler.samples()).isGreaterThan(500);
            assertThat(sampler.maxTotal()).isLessThanOrEqualTo(bound);
            // The test means something only if the instances competed for (nearly) all the shared capacity.
            assertThat(sampler.maxTotal()).isGreaterThanOrEqualTo(bound - PARTITION);
        }
        for (Events recorder : events) {
            assertThat(recorder.named(CapacityEvent.ALLOCATED)).isNotEmpty();
            assertThat(recorder.named(CapacityEvent.RELEASED)).isNotEmpty();
        }
        assertThat(events.stream().mapToLong(e -> e.named(CapacityEvent.FAILED).size()).sum()).isPositive();

        // When nobody needs anything, every partition goes back to the pool.
        limiters.forEach(limiter -> limiter.setTarget(0));
        StringRedisTemplate template = redis.newTemplate();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> template.keys(PartitionLeases.keyPrefix(name) + "partition:*").isEmpty());
        assertThat(limiters).allSatisfy(limiter -> assertThat(limiter.capacity())
                .isEqualTo(limiter.options().reservedCapacity()));
    }
}
