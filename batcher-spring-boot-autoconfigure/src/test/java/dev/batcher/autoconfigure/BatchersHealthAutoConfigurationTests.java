package dev.batcher.autoconfigure;

import static dev.batcher.autoconfigure.TestSinks.dispatcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import dev.batcher.autoconfigure.TestSinks.BlockingSink;
import dev.batcher.autoconfigure.TestSinks.FailingSink;
import dev.batcher.autoconfigure.TestSinks.InvoiceSink;
import dev.batcher.autoconfigure.TestSinks.OrderEvent;
import dev.batcher.autoconfigure.TestSinks.OrderSinkConfiguration;
import dev.batcher.BufferFullException;
import dev.batcher.dispatch.Dispatcher;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@link BatchersHealthAutoConfiguration}: one health child per instance. */
class BatchersHealthAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BatcherAutoConfiguration.class,
                    BatchersHealthAutoConfiguration.class));

    @Test
    void oneChildPerInstance() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class, InvoiceSink.class).run(context -> {
            CompositeHealthContributor batchers = composite(context);
            assertThat(batchers.stream().map(HealthContributors.Entry::name)).containsExactlyInAnyOrder("orders",
                    "invoices");
            Health orders = health(context, "orders");
            assertThat(orders.getStatus()).isEqualTo(Status.UP);
            assertThat(orders.getDetails()).containsEntry("state", "RUNNING").containsEntry("kind", "dispatcher");
            assertThat(batchers.getContributor("unknown")).isNull();
        });
    }

    @Test
    void anInstanceIsDownWhileItsSinkKeepsFailing() {
        this.contextRunner.withUserConfiguration(FailingSink.class, OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.failing.max-batch-age=10ms",
                        "batcher.dispatchers.failing.retry.initial-backoff=5ms",
                        "batcher.dispatchers.failing.retry.max-backoff=5ms",
                        "batcher.health.max-consecutive-failures=3", "batcher.shutdown.timeout=50ms")
                .run(context -> {
                    dispatcher(context, "failing").submit(new OrderEvent("a"));
                    await().untilAsserted(() -> assertThat(health(context, "failing").getStatus())
                            .isEqualTo(Status.DOWN));
                    assertThat(health(context, "failing").getDetails().get("problem")).asString()
                            .contains("batcher.health.max-consecutive-failures=3");
                    assertThat(health(context, "orders").getStatus()).isEqualTo(Status.UP);
                });
    }

    @Test
    void anInstanceIsDownWhileItsBufferStaysFull() {
        this.contextRunner.withUserConfiguration(BlockingSink.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-items=1",
                        "batcher.dispatchers.orders.max-concurrent-sends=1",
                        "batcher.dispatchers.orders.buffer.max-items=1",
                        "batcher.dispatchers.orders.buffer.full-behavior=reject",
                        "batcher.health.max-full-duration=20ms", "batcher.shutdown.timeout=50ms")
                .run(context -> {
                    Dispatcher<OrderEvent> orders = dispatcher(context, "orders");
                    orders.enqueue(new OrderEvent("a"));
                    assertThatExceptionOfType(BufferFullException.class)
                            .isThrownBy(() -> orders.enqueue(new OrderEvent("b")));
                    await().untilAsserted(() -> assertThat(health(context, "orders").getStatus())
                            .isEqualTo(Status.DOWN));
                    assertThat(health(context, "orders").getDetails().get("problem")).asString()
                            .contains("the buffer has been full");
                    context.getBean(BlockingSink.class).release.countDown();
                    await().untilAsserted(() -> assertThat(health(context, "orders").getStatus())
                            .isEqualTo(Status.UP));
                });
    }

    @Test
    void anInstancePausedByAnOperatorIsUpAndSaysPaused() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-items=1",
                        "batcher.dispatchers.orders.buffer.max-items=1",
                        "batcher.dispatchers.orders.buffer.full-behavior=reject",
                        "batcher.health.max-full-duration=20ms", "batcher.shutdown.timeout=50ms")
                .run(context -> {
                    Dispatcher<OrderEvent> orders = dispatcher(context, "orders");
                    orders.pause();
                    orders.enqueue(new OrderEvent("a"));
                    assertThatExceptionOfType(BufferFullException.class)
                            .isThrownBy(() -> orders.enqueue(new OrderEvent("b")));
                    await().until(() -> orders.stats().bufferFullFor().toMillis() > 40);
                    Health health = health(context, "orders");
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails()).containsEntry("state", "PAUSED").containsEntry("paused", true)
                            .doesNotContainKey("problem");
                });
    }

    @Test
    void healthContributorCanBeDisabled() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("management.health.batchers.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(BatchersHealthContributor.class));
    }

    private static CompositeHealthContributor composite(AssertableApplicationContext context) {
        assertThat(context).hasNotFailed();
        return context.getBean("batchersHealthContributor", CompositeHealthContributor.class);
    }

    private static Health health(AssertableApplicationContext context, String name) {
        return ((HealthIndicator) composite(context).getContributor(name)).health();
    }
}
