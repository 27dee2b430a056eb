package dev.batcher.autoconfigure;

import static dev.batcher.autoconfigure.BatcherAutoConfigurationTests.assertStartupFailure;
import static dev.batcher.autoconfigure.TestSinks.dispatcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.autoconfigure.TestSinks.Invoice;
import dev.batcher.autoconfigure.TestSinks.OrderEvent;
import dev.batcher.autoconfigure.TestSinks.OrderSinkConfiguration;
import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherConfig;
import dev.batcher.spring.BatcherDispatchers;
import dev.batcher.spring.BatcherRegistry;
import dev.batcher.spring.DispatcherCustomizer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The {@link BatcherDispatchers} bean, and {@code Dispatcher} beans the application creates itself. */
class BatcherDispatchersTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BatcherAutoConfiguration.class,
                    BatcherMetricsAutoConfiguration.class))
            .withBean(SimpleMeterRegistry.class);

    @Test
    void builtDispatcherGetsPropertiesCustomizersMetersAndTheLifecycle() {
        this.contextRunner.withUserConfiguration(BuiltInvoicesConfiguration.class)
                .withPropertyValues("batcher.defaults.buffer.max-items=300",
                        "batcher.dispatchers.invoices.max-batch-items=7",
                        "batcher.dispatchers.invoices.max-batch-age=1h")
                .run(context -> {
                    Dispatcher<Invoice> invoices = dispatcher(context, "invoices");
                    assertThat(context.getBean("invoices")).isSameAs(invoices);
                    DispatcherConfig<Invoice> config = invoices.config();
                    assertThat(config.maxBatchItems()).isEqualTo(7);
                    assertThat(config.bufferMaxItems()).isEqualTo(300);
                    assertThat(config.maxConcurrentSends()).isEqualTo(2);
                    assertThat(config.sendTimeout()).isEqualTo(java.time.Duration.ofSeconds(3));
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    invoices.enqueue(new Invoice("i-1"));
                    assertThat(meters.get("batcher.items.submitted").tags("name", "invoices", "kind", "dispatcher")
                            .functionCounter().count()).isEqualTo(1);
                    List<Invoice> sent = context.getBean(BuiltInvoicesConfiguration.class).sent;
                    assertThat(sent).isEmpty();
                    context.close();
                    assertThat(sent).containsExactly(new Invoice("i-1"));
                    assertThat(invoices.isDrained()).isTrue();
                });
    }

    @Test
    void itemsSubmittedToABuiltDispatcherDuringStartupAreSentOnceTheContextHasStarted() {
        this.contextRunner.withUserConfiguration(BuiltInvoicesConfiguration.class)
                .withPropertyValues("batcher.dispatchers.invoices.max-batch-age=10ms")
                .run(context -> {
                    assertThat(dispatcher(context, "invoices").stats().paused()).isFalse();
                    Dispatcher<Invoice> invoices = dispatcher(context, "invoices");
                    invoices.submit(new Invoice("i-2")).get();
                    assertThat(context.getBean(BuiltInvoicesConfiguration.class).sent).contains(new Invoice("i-2"));
                });
    }

    @Test
    void invalidPropertyOfABuiltDispatcherFailsStartupNamingIt() {
        this.contextRunner.withUserConfiguration(BuiltInvoicesConfiguration.class)
                .withPropertyValues("batcher.dispatchers.invoices.buffer.max-items=0")
                .run(context -> assertStartupFailure(context,
                        "batcher.dispatchers.invoices.buffer.max-items=0: must be at least 1"));
    }

    @Test
    void dispatcherCreatedWithDispatcherCreateAndConfiguredFailsStartupNamingTheBean() {
        this.contextRunner.withUserConfiguration(CreatedOrdersConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-items=7")
                .run(context -> assertStartupFailure(context,
                        "Dispatcher bean 'myOrders' (dispatcher 'orders') was created with Dispatcher.create, so the "
                                + "properties batcher.dispatchers.orders.* cannot be applied to it.",
                        "Build it with the BatcherDispatchers bean"));
    }

    @Test
    void dispatcherCreatedWithDispatcherCreateWithoutPropertiesIsRegisteredAndMetered() {
        this.contextRunner.withUserConfiguration(CreatedOrdersConfiguration.class).run(context -> {
            Dispatcher<?> orders = context.getBean(BatcherRegistry.class).dispatcher("orders");
            assertThat(orders).isSameAs(context.getBean("myOrders"));
            assertThat(orders.config().maxBatchItems()).isEqualTo(3);
            assertThat(context.getBean(MeterRegistry.class).get("batcher.items.submitted")
                    .tags("name", "orders", "kind", "dispatcher").functionCounter()).isNotNull();
        });
    }

    @Test
    void aBuiltDispatcherAndASinkWithOneNameFailStartupNamingBoth() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class, BuiltOrdersConfiguration.class)
                .run(context -> assertStartupFailure(context, "Two dispatchers are named 'orders'",
                        "@BatchSink method 'TestSinks.OrderSink.store(List<TestSinks.OrderEvent>)' on bean 'orderSink'",
                        "BatcherDispatchers.build(\"orders\", ...)", "Give each a distinct name."));
    }

    @Configuration(proxyBeanMethods = false)
    static class BuiltInvoicesConfiguration {

        final List<Invoice> sent = new CopyOnWriteArrayList<>();

        @Bean
        DispatcherCustomizer<Invoice> invoiceConcurrency() {
            return (name, builder) -> builder.maxConcurrentSends(2).sendTimeout(java.time.Duration.ofSeconds(9));
        }

        @Bean
        Dispatcher<Invoice> invoices(BatcherDispatchers dispatchers) {
            return dispatchers.build("invoices", Invoice.class, batch -> this.sent.addAll(batch.items()),
                    builder -> builder.sendTimeout(java.time.Duration.ofSeconds(3)));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class BuiltOrdersConfiguration {

        @Bean
        Dispatcher<OrderEvent> builtOrders(BatcherDispatchers dispatchers) {
            return dispatchers.build("orders", OrderEvent.class, batch -> {
            });
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CreatedOrdersConfiguration {

        @Bean
        Dispatcher<OrderEvent> myOrders() {
            return Dispatcher.create("orders", DispatcherConfig.<OrderEvent>builder().maxBatchItems(3).build(),
                    batch -> {
                    });
        }
    }
}
