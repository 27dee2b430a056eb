package dev.batcher.autoconfigure;

import static dev.batcher.autoconfigure.TestSinks.dispatcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.autoconfigure.TestSinks.BlockingSink;
import dev.batcher.autoconfigure.TestSinks.OrderEvent;
import dev.batcher.autoconfigure.TestSinks.OrderSinkConfiguration;
import dev.batcher.dispatch.Dispatcher;
import dev.batcher.DropReason;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@link BatcherMetricsAutoConfiguration}: the meters of every dispatcher, tagged {@code name} and {@code kind}. */
class BatcherMetricsAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BatcherAutoConfiguration.class,
                    BatcherMetricsAutoConfiguration.class))
            .withBean(SimpleMeterRegistry.class);

    @Test
    void metersAreBoundWithNameAndKindTagsAndRemovedOnClose() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-age=10ms")
                .run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    Dispatcher<OrderEvent> orders = dispatcher(context, "orders");
                    orders.submit(new OrderEvent("a"));
                    orders.submit(new OrderEvent("b")).get();
                    await().untilAsserted(() -> {
                        assertThat(meters.get("batcher.items.submitted").tags("name", "orders", "kind", "dispatcher")
                                .functionCounter().count()).isEqualTo(2);
                        assertThat(meters.get("batcher.items.sent").tags("name", "orders", "kind", "dispatcher")
                                .functionCounter().count()).isEqualTo(2);
                        assertThat(meters.get("batcher.batch.size").tags("name", "orders", "kind", "dispatcher")
                                .summary().totalAmount()).isEqualTo(2);
                    });
                    assertThat(meters.get("batcher.items.dropped").tags("name", "orders", "reason", "buffer-full")
                            .functionCounter().count()).isZero();
                    assertThat(meters.get("batcher.items.dropped").tags("name", "orders").functionCounters())
                            .hasSize(DropReason.values().length);
                    assertThat(meters.get("batcher.items.retried").tags("name", "orders").functionCounter().count())
                            .isZero();
                    assertThat(meters.get("batcher.buffer.depth").tags("name", "orders").gauge().value()).isZero();
                    assertThat(meters.get("batcher.in.flight").tags("name", "orders").gauge().value()).isZero();
                    assertThat(meters.get("batcher.send.duration").tags("name", "orders").timers()).hasSize(3);
                    assertThat(meters.get("batcher.producer.blocked").tags("name", "orders", "kind", "dispatcher")
                            .timer()).isNotNull();

                    orders.close(Duration.ofSeconds(5));
                    await().untilAsserted(() -> assertThat(meters.find("batcher.items.submitted").meters()).isEmpty());
                    assertThat(meters.getMeters()).noneMatch(meter -> meter.getId().getName().startsWith("batcher."));
                });
    }

    @Test
    void gaugesShowItemsInFlightThePausedStateAndTheBufferLimit() {
        this.contextRunner.withUserConfiguration(BlockingSink.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-items=3",
                        "batcher.dispatchers.orders.buffer.max-items=50")
                .run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    Dispatcher<OrderEvent> orders = dispatcher(context, "orders");
                    assertThat(meters.get("batcher.buffer.limit").tags("name", "orders", "kind", "dispatcher").gauge()
                            .value()).isEqualTo(50);
                    assertThat(meters.get("batcher.paused").tags("name", "orders").gauge().value()).isZero();
                    for (int i = 0; i < 3; i++) {
                        orders.enqueue(new OrderEvent("e" + i));
                    }
                    await().untilAsserted(() -> assertThat(meters.get("batcher.in.flight.items")
                            .tags("name", "orders", "kind", "dispatcher").gauge().value()).isEqualTo(3));
                    orders.pause();
                    assertThat(meters.get("batcher.paused").tags("name", "orders").gauge().value()).isEqualTo(1);
                    orders.resume();
                    context.getBean(BlockingSink.class).release.countDown();
                    await().untilAsserted(() -> assertThat(meters.get("batcher.in.flight.items")
                            .tags("name", "orders").gauge().value()).isZero());
                });
    }

    @Test
    void abandonedSendsAreAGauge() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class).run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get("batcher.sends.abandoned").tags("name", "orders", "kind", "dispatcher").gauge()
                    .value()).isZero();
        });
    }

    @Test
    void noMetersWithoutAMeterRegistry() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BatcherAutoConfiguration.class,
                        BatcherMetricsAutoConfiguration.class))
                .withUserConfiguration(OrderSinkConfiguration.class)
                .run(context -> assertThat(context).doesNotHaveBean(DispatcherMeterBinder.class)
                        .hasSingleBean(DefaultBatcherRegistry.class));
    }
}
