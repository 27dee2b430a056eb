package dev.batcher.autoconfigure;

import static dev.batcher.autoconfigure.TestWatchers.batcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.DropReason;
import dev.batcher.autoconfigure.TestWatchers.BlockingWatcher;
import dev.batcher.autoconfigure.TestWatchers.CosmosWatchers;
import dev.batcher.autoconfigure.TestWatchers.Order;
import dev.batcher.cost.Batcher;
import dev.batcher.spring.BatcherRegistry;
import dev.batcher.spring.WatcherHandle;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@link BatcherMetricsAutoConfiguration} for cost batchers: meters tagged {@code name} and {@code kind=batcher}. */
class CostBatcherMetricsTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BatcherAutoConfiguration.class,
                    CostBatcherAutoConfiguration.class, BatcherMetricsAutoConfiguration.class))
            .withBean(SimpleMeterRegistry.class);

    @Test
    void capacityOperationsAndBatchSizeAreMeteredAndRemovedOnClose() {
        this.contextRunner.withBean(CosmosWatchers.class)
                .withPropertyValues("batcher.batchers.cosmos.capacity=1000",
                        "batcher.batchers.cosmos.flush-interval=10ms", "batcher.batchers.cosmos.capacity-interval=10ms")
                .run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    WatcherHandle<Order> upserts = context.getBean(BatcherRegistry.class).watcher("cosmos", "upserts");
                    upserts.enqueue(10, new Order("a"));
                    upserts.enqueue(10, new Order("b"));
                    await().untilAsserted(() -> {
                        assertThat(meters.get("batcher.operations.processed").tags("name", "cosmos", "kind", "batcher")
                                .functionCounter().count()).isEqualTo(2);
                        assertThat(meters.get("batcher.batch.size").tags("name", "cosmos", "kind", "batcher")
                                .summary().totalAmount()).isEqualTo(2);
                        assertThat(meters.get("batcher.capacity.requests").tags("name", "cosmos", "kind", "batcher")
                                .functionCounter().count()).isPositive();
                    });
                    assertThat(meters.get("batcher.operations.enqueued").tags("name", "cosmos").functionCounter()
                            .count()).isEqualTo(2);
                    assertThat(meters.get("batcher.operations.dropped").tags("name", "cosmos").functionCounters())
                            .hasSize(DropReason.values().length);
                    assertThat(meters.get("batcher.operations.retried").tags("name", "cosmos").functionCounter()
                            .count()).isZero();
                    assertThat(meters.get("batcher.capacity.granted").tags("name", "cosmos", "kind", "batcher")
                            .gauge().value()).isEqualTo(1000);
                    assertThat(meters.get("batcher.capacity.partitions").tags("name", "cosmos").gauge().value())
                            .isZero();
                    assertThat(meters.get("batcher.buffer.limit").tags("name", "cosmos", "kind", "batcher").gauge()
                            .value()).isEqualTo(10_000);
                    batcher(context, "cosmos").pause();
                    await().untilAsserted(() -> assertThat(meters.get("batcher.pauses").tags("name", "cosmos")
                            .functionCounter().count()).isEqualTo(1));

                    batcher(context, "cosmos").close(Duration.ofSeconds(5));
                    context.getBean(BatcherLifecycle.class).stop();
                    assertThat(meters.getMeters()).noneMatch(meter -> "batcher".equals(meter.getId().getTag("kind")));
                });
    }

    @Test
    void neededCapacityRisesOnEnqueueAndFallsWhenTheBatchIsDone() {
        this.contextRunner.withBean(BlockingWatcher.class)
                .withPropertyValues("batcher.batchers.cosmos.flush-interval=10ms")
                .run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    WatcherHandle<Order> upserts = context.getBean(BatcherRegistry.class).watcher("cosmos", "upserts");
                    upserts.enqueue(7, new Order("a"));
                    upserts.enqueue(5, new Order("b"));
                    assertThat(meters.get("batcher.capacity.needed").tags("name", "cosmos", "kind", "batcher").gauge()
                            .value()).isEqualTo(12);
                    await().untilAsserted(() -> assertThat(meters.get("batcher.in.flight.items")
                            .tags("name", "cosmos", "kind", "batcher").gauge().value()).isEqualTo(2));
                    assertThat(meters.get("batcher.capacity.granted").tags("name", "cosmos").gauge().value()).isZero();
                    context.getBean(BlockingWatcher.class).release.countDown();
                    await().untilAsserted(() -> assertThat(meters.get("batcher.capacity.needed")
                            .tags("name", "cosmos").gauge().value()).isZero());
                    Batcher cosmos = batcher(context, "cosmos");
                    assertThat(cosmos.stats().processed()).isEqualTo(2);
                });
    }
}
