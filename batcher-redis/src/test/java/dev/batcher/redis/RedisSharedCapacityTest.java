package dev.batcher.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.batcher.limit.CapacityEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

class RedisSharedCapacityTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Duration INTERVAL = Duration.ofMillis(100);
    /** Generous: how fast the first partitions come is not what these tests are about, and CI machines are busy. */
    private static final Duration FIRST_GRANT = Duration.ofSeconds(10);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final String name = "test-" + UUID.randomUUID();

    /**
     * Most tests run against a Redis that has served this resource before (its epoch key is there), as in
     * production; a new resource hands out nothing for one lease time, which the restart and flush tests cover.
     */
    @BeforeEach
    void redisKnowsTheResource() {
        redis.newTemplate().opsForValue().set(PartitionLeases.epochKey(name), "test");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    @Test
    void capacityIsReservedPlusWholePartitionsAndThePartialLastPartitionCountsOnlyItsOwnSize() {
        Events events = new Events();
        RedisSharedCapacity limiter = limiter(options(10, 3, 2), events);

        limiter.start();
        assertThat(limiter.capacity()).isEqualTo(2);
        assertThat(limiter.maxCapacity()).isEqualTo(12);
        limiter.setTarget(100);

        await().atMost(FIRST_GRANT).until(limiter::capacity, c -> c == 12);
        assertThat(limiter.heldPartitions()).isEqualTo(4);
        assertThat(events.named(CapacityEvent.ALLOCATED)).extracting(CapacityEvent::value)
                .containsExactlyInAnyOrder(0L, 1L, 2L, 3L);
        assertThat(events.named(CapacityEvent.TARGET)).extracting(CapacityEvent::value).contains(100L);
        assertThat(events.named(CapacityEvent.CAPACITY)).extracting(CapacityEvent::value).contains(2L, 12L);
        StringRedisTemplate template = redis.newTemplate();
        Set<String> keys = template.keys(PartitionLeases.keyPrefix(name) + "partition:*");
        assertThat(keys).hasSize(4);
        for (String key : keys) {
            assertThat(template.getExpire(key, java.util.concurrent.TimeUnit.MILLISECONDS))
                    .isBetween(1L, LEASE.toMillis());
            assertThat(template.opsForValue().get(key)).startsWith(limiter.options().instanceId() + "#");
        }

        limiter.setTarget(7); // 5 above the reserved capacity: partitions of 3 + 3 are enough
        await().atMost(Duration.ofSeconds(5)).until(limiter::capacity, c -> c >= 7 && c < 7 + 3);
        assertThat(events.all()).extracting(Events.Seen::thread)
                .allMatch(thread -> thread.equals("batcher-shared-capacity-" + name));
    }

    @Test
    void anInstanceThatStopsNeedingCapacityFreesItsPartitionsWithinOneLeaseTime() {
        Duration lease = Duration.ofSeconds(6);
        Events eventsA = new Events();
        RedisSharedCapacity a = limiter(options(10, 3, 0).withLeaseTime(lease), eventsA);
        List<Long> capacityWhenReleased = new java.util.concurrent.CopyOnWriteArrayList<>();
        a.addListener(event -> {
            if (event.name().equals(CapacityEvent.RELEASED)) {
                capacityWhenReleased.add(a.capacity());
            }
        });
        RedisSharedCapacity b = limiter(options(10, 3, 0).withLeaseTime(lease), new Events());
        a.start();
        b.start();
        a.setTarget(10);
        await().atMost(FIRST_GRANT).until(a::capacity, c -> c == 10);
        b.setTarget(10);
        StringRedisTemplate template = redis.newTemplate();

        a.setTarget(0);
        long dropped = System.nanoTime();
        // Released, not left to expire: a lease is renewed at half its time, so expiring takes at least 3 s.
        await().atMost(Duration.ofMillis(2_500))
                .until(() -> a.capacity() == 0 && heldBy(template, a).isEmpty());
        await().atMost(lease.minusNanos(System.nanoTime() - dropped)).until(b::capacity, c -> c == 10);
        assertThat(eventsA.has(CapacityEvent.RELEASED, "not needed for target 0")).isTrue();
        assertThat(eventsA.named(CapacityEvent.RELEASED)).hasSize(4);
        // A partition stops counting before its lease is given back, so no instance counts it twice.
        assertThat(capacityWhenReleased).containsOnly(0L);
    }

    @Test
    void closeReleasesEveryLeaseBeforeItReturns() {
        Duration lease = Duration.ofSeconds(6);
        Events eventsA = new Events();
        RedisSharedCapacity a = limiter(options(6, 2, 1).withLeaseTime(lease), eventsA);
        RedisSharedCapacity b = limiter(options(6, 2, 1).withLeaseTime(lease), new Events());
        a.start();
        b.start();
        a.setTarget(7);
        await().atMost(FIRST_GRANT).until(a::capacity, c -> c == 7);
        b.setTarget(7);
        StringRedisTemplate template = redis.newTemplate();

        a.close();

        assertThat(heldBy(template, a)).isEmpty();
        assertThat(a.capacity()).isEqualTo(1);
        assertThat(eventsA.has(CapacityEvent.RELEASED, "limiter closed")).isTrue();
        await().atMost(Duration.ofMillis(2_500)).until(b::capacity, c -> c == 7); // before a lease could expire
    }

    @Test
    void aListenerThatClosesTheLimiterLeavesNoLeaseBehind() {
        Events events = new Events();
        RedisSharedCapacity limiter = limiter(options(6, 2, 1), events);
        limiter.addListener(event -> {
            if (event.name().equals(CapacityEvent.ALLOCATED)) {
                limiter.close(); // on the limiter's own thread, in the middle of a request
            }
        });
        limiter.start();
        limiter.setTarget(7);
        StringRedisTemplate template = redis.newTemplate();

        await().atMost(FIRST_GRANT).until(() -> events.has(CapacityEvent.RELEASED, "limiter closed"));
        await().atMost(Duration.ofSeconds(2)).until(() -> heldBy(template, limiter).isEmpty());
        assertThat(limiter.capacity()).isEqualTo(1);
    }

    @Test
    void aKilledInstancesPartitionsComeBackWhenTheirLeasesEnd() {
        LettuceConnectionFactory connectionA = redis.newConnectionFactory();
        Events eventsA = new Events();
        RedisSharedCapacity a = new RedisSharedCapacity(connectionA, options(6, 2, 1));
        a.addListener(eventsA);
        toClose.add(a);
        RedisSharedCapacity b = limiter(options(6, 2, 1), new Events());
        a.start();
        b.start();
        a.setTarget(7);
        await().atMost(FIRST_GRANT).until(a::capacity, c -> c == 7);
        b.setTarget(7);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.capacity() == 1 && b.lastError() == null);

        try (CapacitySampler sampler = new CapacitySampler(List.of(a, b))) {
            connectionA.destroy(); // a's process is gone as far as Redis can tell: no renewal, no release

            await().atMost(LEASE.plusSeconds(5)).until(b::capacity, c -> c == 7);
            assertThat(a.capacity()).isEqualTo(1);
            assertThat(a.lastError()).isNotNull();
            await().atMost(Duration.ofSeconds(2))
                    .until(() -> eventsA.has(CapacityEvent.RELEASED, "lease ended before it could be renewed"));
            assertThat(sampler.samples()).isGreaterThan(100);
            assertThat(sampler.maxTotal()).isLessThanOrEqualTo(6 + 1 + 1);
        }
    }

    @Test
    void aRedisRestartFallsBackToTheReservedCapacityReportsTheErrorAndRecovers() {
        Events eventsA = new Events();
        Events eventsB = new Events();
        RedisSharedCapacity a = limiter(options(10, 2, 2), eventsA);
        RedisSharedCapacity b = limiter(options(10, 2, 2), eventsB);
        a.start();
        b.start();
        a.setTarget(6);
        b.setTarget(8);
        await().atMost(FIRST_GRANT).until(() -> a.capacity() == 6 && b.capacity() == 8);

        try (CapacitySampler sampler = new CapacitySampler(List.of(a, b))) {
            redis.stop();
            assertTimeoutPreemptively(Duration.ofMillis(250), () -> {
                a.setTarget(6);
                return a.capacity() + a.target();
            }, "setTarget and capacity must not wait for Redis");

            await().atMost(LEASE.plusSeconds(5))
                    .until(() -> a.capacity() == 2 && b.capacity() == 2 && a.lastError() != null);
            assertThat(eventsA.named(CapacityEvent.ERROR)).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.error()).isNotNull());
            await().atMost(Duration.ofSeconds(2))
                    .until(() -> eventsA.has(CapacityEvent.RELEASED, "lease ended before it could be renewed"));

            redis.start();

            await().atMost(Duration.ofSeconds(20)).until(() -> a.capacity() == 6 && b.capacity() == 8
                    && a.lastError() == null && b.lastError() == null);
            assertThat(eventsA.has(CapacityEvent.FAILED, "Redis lost the leases")
                    || eventsB.has(CapacityEvent.FAILED, "Redis lost the leases")).isTrue();
            assertThat(sampler.maxTotal()).isLessThanOrEqualTo(10 + 2 + 2);
        }
    }

    @Test
    void whenRedisLosesItsKeysWhileLeasesAreHeldNoPartitionIsHandedToASecondInstance() {
        Duration lease = Duration.ofSeconds(3);
        Events eventsB = new Events();
        RedisSharedCapacity a = limiter(options(6, 2, 0).withLeaseTime(lease), new Events());
        RedisSharedCapacity b = limiter(options(6, 2, 0).withLeaseTime(lease), eventsB);
        a.start();
        b.start();
        a.setTarget(6);
        await().atMost(FIRST_GRANT).until(a::capacity, c -> c == 6);
        b.setTarget(6);
        await().atMost(Duration.ofSeconds(5)).until(() -> eventsB.has(CapacityEvent.FAILED, "every free partition"));
        StringRedisTemplate template = redis.newTemplate();

        try (CapacitySampler sampler = new CapacitySampler(List.of(a, b))) {
            template.execute((org.springframework.data.redis.core.RedisCallback<Void>) connection -> {
                connection.serverCommands().flushAll();
                return null;
            });

            // a renews what it held; b is fenced off for one lease time, then finds every partition taken.
            await().during(lease.plusSeconds(1)).atMost(lease.plusSeconds(3))
                    .until(() -> a.capacity() == 6 && b.capacity() == 0);
            assertThat(eventsB.has(CapacityEvent.FAILED, "Redis lost the leases")).isTrue();
            assertThat(template.keys(PartitionLeases.keyPrefix(name) + "partition:*")).hasSize(3);
            assertThat(sampler.maxTotal()).isLessThanOrEqualTo(6);
        }
    }

    @Test
    void aSecondStartAndAStartAfterCloseAreRefused() {
        RedisSharedCapacity limiter = limiter(options(10, 1, 0), new Events());
        limiter.start();

        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(limiter::start)
                .withMessageContaining("'" + name + "' is already started");
        limiter.close();
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(limiter::start)
                .withMessageContaining("closed; create a new one");
        assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> limiter.setTarget(-1))
                .withMessageContaining("zero or more, but was -1");
    }

    /** The partition keys whose lease belongs to {@code limiter}. */
    private List<String> heldBy(StringRedisTemplate template, RedisSharedCapacity limiter) {
        return template.keys(PartitionLeases.keyPrefix(name) + "partition:*").stream()
                .filter(key -> String.valueOf(template.opsForValue().get(key))
                        .startsWith(limiter.options().instanceId() + "#"))
                .toList();
    }

    private SharedCapacityOptions options(long shared, long partitionSize, long reserved) {
        return new SharedCapacityOptions(name, shared, partitionSize, reserved, LEASE, INTERVAL, null);
    }

    private RedisSharedCapacity limiter(SharedCapacityOptions options, Events events) {
        RedisSharedCapacity limiter = new RedisSharedCapacity(redis.newConnectionFactory(), options);
        limiter.addListener(events);
        toClose.add(limiter);
        return limiter;
    }
}
