package dev.batcher.autoconfigure;

import static dev.batcher.autoconfigure.TestWatchers.batcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

import dev.batcher.autoconfigure.BatchersEndpoint.BatcherDescriptor;
import dev.batcher.autoconfigure.BatchersEndpoint.EventDescriptor;
import dev.batcher.autoconfigure.TestSinks.OrderSinkConfiguration;
import dev.batcher.autoconfigure.TestWatchers.CosmosWatchers;
import dev.batcher.autoconfigure.TestWatchers.FailingWatcher;
import dev.batcher.autoconfigure.TestWatchers.Order;
import dev.batcher.cost.Batcher;
import dev.batcher.cost.BatcherEvent;
import dev.batcher.spring.BatcherRegistry;
import dev.batcher.spring.WatcherHandle;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code batchers} endpoint ({@link BatchersEndpointAutoConfiguration}) and health contributor
 * ({@link BatchersHealthAutoConfiguration}) for cost batchers: capacities, watchers, recent events, pause and flush,
 * one health child per batcher.
 */
class CostBatcherEndpointAndHealthTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, BatcherAutoConfiguration.class,
                    CostBatcherAutoConfiguration.class, BatchersEndpointAutoConfiguration.class,
                    BatchersHealthAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=batchers");

    @Test
    void endpointListsBatchersBesideDispatchersWithCapacitiesWatchersAndRecentEvents() {
        this.contextRunner.withBean(CosmosWatchers.class).withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.batchers.cosmos.capacity=500",
                        "batcher.batchers.cosmos.flush-interval=1h", "batcher.batchers.cosmos.pause-time=1h")
                .run(context -> {
                    BatchersEndpoint endpoint = context.getBean(BatchersEndpoint.class);
                    WatcherHandle<Order> upserts = context.getBean(BatcherRegistry.class).watcher("cosmos", "upserts");
                    upserts.enqueue(40, new Order("a"));

                    assertThat(endpoint.batchers().batchers()).extracting(BatcherDescriptor::name, BatcherDescriptor::kind)
                            .containsExactly(org.assertj.core.groups.Tuple.tuple("orders", "dispatcher"),
                                    org.assertj.core.groups.Tuple.tuple("cosmos", "batcher"));
                    BatcherDescriptor cosmos = endpoint.batcher("cosmos");
                    assertThat(cosmos.neededCapacity()).isEqualTo(40);
                    assertThat(cosmos.grantedCapacity()).isEqualTo(500);
                    assertThat(cosmos.partitionsHeld()).isZero();
                    assertThat(cosmos.watchers()).containsExactlyInAnyOrder("upserts", "audit-log"); // reflection's order
                    assertThat(cosmos.bufferedItems()).isEqualTo(1);
                    assertThat(cosmos.totals().submitted()).isEqualTo(1);
                    await().untilAsserted(() -> assertThat(endpoint.batcher("cosmos").recentEvents())
                            .extracting(EventDescriptor::name).contains(BatcherEvent.CAPACITY));
                    assertThat(endpoint.batcher("orders").recentEvents()).isNull();

                    assertThat(endpoint.control("cosmos", "pause").paused()).isTrue();
                    await().untilAsserted(() -> assertThat(endpoint.batcher("cosmos").recentEvents())
                            .extracting(EventDescriptor::name).contains(BatcherEvent.PAUSE));
                    endpoint.control("cosmos", "flush");
                    await().untilAsserted(() -> assertThat(endpoint.batcher("cosmos").recentEvents())
                            .extracting(EventDescriptor::name).contains(BatcherEvent.FLUSH_START,
                                    BatcherEvent.FLUSH_DONE));

                    JsonNode json = JsonMapper.builder().build().valueToTree(endpoint.batcher("cosmos"));
                    assertThat(json.get("kind").asString()).isEqualTo("batcher");
                    assertThat(json.get("neededCapacity").asLong()).isEqualTo(40);
                    assertThat(json.get("grantedCapacity").asLong()).isEqualTo(500);
                    assertThat(json.get("paused").asBoolean()).isTrue();
                    assertThat(json.get("watchers").size()).isEqualTo(2);
                    assertThat(json.get("recentEvents").get(0).has("at")).isTrue();
                    assertThat(json.get("totals").get("submitted").asLong()).isEqualTo(1);

                    assertThat(endpoint.control("cosmos", "resume").paused()).as("an operator ends the 1h pause")
                            .isFalse();
                    await().untilAsserted(() -> assertThat(endpoint.batcher("cosmos").neededCapacity()).isZero());
                });
    }

    @Test
    void recentEventsKeepTheLastTwentyAndLeaveOutCapacityRequests() {
        this.contextRunner.withBean(CosmosWatchers.class)
                .withPropertyValues("batcher.batchers.cosmos.capacity=500",
                        "batcher.batchers.cosmos.capacity-interval=5ms")
                .run(context -> {
                    Batcher cosmos = batcher(context, "cosmos");
                    BatchersEndpoint endpoint = context.getBean(BatchersEndpoint.class);
                    IntStream.range(0, 15).forEach(i -> cosmos.flush());
                    await().untilAsserted(() -> assertThat(endpoint.batcher("cosmos").recentEvents())
                            .hasSize(BatcherObserver.RECENT_EVENTS)
                            .extracting(EventDescriptor::name)
                            .containsOnly(BatcherEvent.FLUSH_START, BatcherEvent.FLUSH_DONE));
                    assertThat(context.getBean(DefaultBatcherRegistry.class).observer("cosmos").capacityRequests())
                            .isPositive();
                });
    }

    @Test
    void healthHasAChildPerBatcherThatIsDownWhileItsWatchersKeepFailing() {
        this.contextRunner.withBean(FailingWatcher.class)
                .withPropertyValues("batcher.batchers.cosmos.flush-interval=5ms",
                        "batcher.health.max-consecutive-failures=3", "batcher.shutdown.timeout=50ms")
                .run(context -> {
                    CompositeHealthContributor batchers = context.getBean("batchersHealthContributor",
                            CompositeHealthContributor.class);
                    assertThat(batchers.stream().map(HealthContributors.Entry::name)).containsExactly("cosmos");
                    assertThat(health(batchers).getStatus()).isEqualTo(Status.UP);
                    assertThat(health(batchers).getDetails()).containsEntry("kind", "batcher")
                            .containsEntry("state", "RUNNING").containsEntry("grantedCapacity", 0L);
                    WatcherHandle<Order> upserts = context.getBean(BatcherRegistry.class).watcher("cosmos", "upserts");
                    for (int i = 0; i < 3; i++) {
                        upserts.enqueueSingle(1, new Order("o" + i));
                    }
                    await().untilAsserted(() -> assertThat(health(batchers).getStatus()).isEqualTo(Status.DOWN));
                    assertThat(health(batchers).getDetails().get("problem")).asString()
                            .contains("the watchers failed 3 batches in a row",
                                    "batcher.health.max-consecutive-failures=3");
                });
    }

    private static Health health(CompositeHealthContributor batchers) {
        return ((HealthIndicator) batchers.getContributor("cosmos")).health();
    }
}
