package dev.batcher.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import dev.batcher.Batch;
import dev.batcher.BufferFullException;
import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherConfig;
import dev.batcher.dispatch.DispatcherListener;
import dev.batcher.DropHandler;
import dev.batcher.DropReason;
import dev.batcher.ErrorHandler;
import dev.batcher.FullBehavior;
import dev.batcher.ItemSizer;
import dev.batcher.Ordering;
import dev.batcher.spring.BatchSink;
import dev.batcher.spring.BatcherRegistry;
import dev.batcher.spring.DispatcherCustomizer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.retry.RetryPolicy;
import org.springframework.retry.backoff.BackOffPolicy;
import org.springframework.retry.backoff.FixedBackOffPolicy;
import org.springframework.retry.policy.NeverRetryPolicy;
import org.springframework.util.unit.DataSize;

class BatcherAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BatcherAutoConfiguration.class,
                    BatcherMetricsAutoConfiguration.class, BatchersEndpointAutoConfiguration.class,
                    BatchersHealthAutoConfiguration.class));

    // ---- properties ------------------------------------------------------------------------------------------

    @Test
    void sinkWithoutPropertiesGetsTheDefaults() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class).run(context -> {
            DispatcherConfig<?> config = dispatcher(context, "orders").config();
            assertThat(config.maxBatchItems()).isEqualTo(DispatcherConfig.DEFAULT_MAX_BATCH_ITEMS);
            assertThat(config.maxBatchBytes()).isEqualTo(-1);
            assertThat(config.maxBatchAge()).isEqualTo(DispatcherConfig.DEFAULT_MAX_BATCH_AGE);
            assertThat(config.maxConcurrentSends()).isEqualTo(DispatcherConfig.DEFAULT_MAX_CONCURRENT_SENDS);
            assertThat(config.ordering()).isEqualTo(Ordering.NONE);
            assertThat(config.bufferMaxItems()).isEqualTo(DispatcherConfig.DEFAULT_BUFFER_MAX_ITEMS);
            assertThat(config.bufferMaxBytes()).isEqualTo(-1);
            assertThat(config.fullBehavior()).isEqualTo(FullBehavior.BLOCK);
            assertThat(config.blockTimeout()).isEqualTo(DispatcherConfig.DEFAULT_BLOCK_TIMEOUT);
            assertThat(config.batchesPerSecond()).isZero();
            assertThat(config.burst()).isEqualTo(1);
            assertThat(config.minBatchesPerSecond()).isZero();
            assertThat(config.maxAttempts()).isEqualTo(DispatcherConfig.UNLIMITED);
            assertThat(config.initialBackoff()).isEqualTo(DispatcherConfig.DEFAULT_INITIAL_BACKOFF);
            assertThat(config.multiplier()).isEqualTo(DispatcherConfig.DEFAULT_MULTIPLIER);
            assertThat(config.maxBackoff()).isEqualTo(DispatcherConfig.DEFAULT_MAX_BACKOFF);
            assertThat(config.sendTimeout()).isEqualTo(DispatcherConfig.DEFAULT_SEND_TIMEOUT);
            assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
            BatcherProperties properties = context.getBean(BatcherProperties.class);
            assertThat(properties.getShutdown().getTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(properties.getHealth().getMaxConsecutiveFailures()).isEqualTo(10);
            assertThat(properties.getHealth().getMaxFullDuration()).isEqualTo(Duration.ofSeconds(30));
        });
    }

    @Test
    void everyPropertyBinds() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class, SizerAndKeyConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-items=50",
                        "batcher.dispatchers.orders.max-batch-bytes=64KB",
                        "batcher.dispatchers.orders.max-batch-age=250ms",
                        "batcher.dispatchers.orders.max-concurrent-sends=2",
                        "batcher.dispatchers.orders.ordering=per-key",
                        "batcher.dispatchers.orders.buffer.max-items=500",
                        "batcher.dispatchers.orders.buffer.max-bytes=1MB",
                        "batcher.dispatchers.orders.buffer.full-behavior=drop-oldest",
                        "batcher.dispatchers.orders.buffer.block-timeout=3s",
                        "batcher.dispatchers.orders.rate-limit.batches-per-second=20.5",
                        "batcher.dispatchers.orders.rate-limit.burst=5",
                        "batcher.dispatchers.orders.rate-limit.min-batches-per-second=0.5",
                        "batcher.dispatchers.orders.retry.max-attempts=7",
                        "batcher.dispatchers.orders.retry.initial-backoff=50ms",
                        "batcher.dispatchers.orders.retry.multiplier=2.5",
                        "batcher.dispatchers.orders.retry.max-backoff=10s",
                        "batcher.dispatchers.orders.send-timeout=4s",
                        "batcher.shutdown.timeout=12s",
                        "batcher.health.max-consecutive-failures=3",
                        "batcher.health.max-full-duration=7s")
                .run(context -> {
                    DispatcherConfig<?> config = dispatcher(context, "orders").config();
                    assertThat(config.maxBatchItems()).isEqualTo(50);
                    assertThat(config.maxBatchBytes()).isEqualTo(DataSize.ofKilobytes(64).toBytes());
                    assertThat(config.maxBatchAge()).isEqualTo(Duration.ofMillis(250));
                    assertThat(config.maxConcurrentSends()).isEqualTo(2);
                    assertThat(config.ordering()).isEqualTo(Ordering.PER_KEY);
                    assertThat(config.bufferMaxItems()).isEqualTo(500);
                    assertThat(config.bufferMaxBytes()).isEqualTo(DataSize.ofMegabytes(1).toBytes());
                    assertThat(config.fullBehavior()).isEqualTo(FullBehavior.DROP_OLDEST);
                    assertThat(config.blockTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(config.batchesPerSecond()).isEqualTo(20.5);
                    assertThat(config.burst()).isEqualTo(5);
                    assertThat(config.minBatchesPerSecond()).isEqualTo(0.5);
                    assertThat(config.maxAttempts()).isEqualTo(7);
                    assertThat(config.initialBackoff()).isEqualTo(Duration.ofMillis(50));
                    assertThat(config.multiplier()).isEqualTo(2.5);
                    assertThat(config.maxBackoff()).isEqualTo(Duration.ofSeconds(10));
                    assertThat(config.sendTimeout()).isEqualTo(Duration.ofSeconds(4));
                    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(12));
                    BatcherProperties properties = context.getBean(BatcherProperties.class);
                    assertThat(properties.getShutdown().getTimeout()).isEqualTo(Duration.ofSeconds(12));
                    assertThat(properties.getHealth().getMaxConsecutiveFailures()).isEqualTo(3);
                    assertThat(properties.getHealth().getMaxFullDuration()).isEqualTo(Duration.ofSeconds(7));
                });
    }

    @Test
    void invalidCombinationFailsStartupNamingThePropertyAndValue() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.ordering=fifo",
                        "batcher.dispatchers.orders.max-concurrent-sends=4")
                .run(context -> assertStartupFailure(context,
                        "batcher.dispatchers.orders.max-concurrent-sends=4: ordering fifo sends one batch at a time"));
    }

    @Test
    void invalidValueFailsStartupNamingThePropertyAndValue() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.buffer.max-items=0")
                .run(context -> assertStartupFailure(context,
                        "batcher.dispatchers.orders.buffer.max-items=0: must be at least 1"));
    }

    @Test
    void byteLimitWithoutItemSizerFailsStartupWithTheConfiguredValue() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-bytes=1MB")
                .run(context -> assertStartupFailure(context,
                        "batcher.dispatchers.orders.max-batch-bytes=1MB: a byte limit needs an item sizer"));
    }

    @Test
    void unknownEnumValueFailsStartupNamingTheProperty() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.buffer.full-behavior=sometimes")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .hasMessageContaining("batcher.dispatchers.orders.buffer.full-behavior");
                });
    }

    // ---- @BatchSink, injection, registry ------------------------------------------------------------------------

    @Test
    void dispatcherIsInjectableByGenericTypeAndQualifierIntoTheSinkBeanAndEarlierBeans() {
        this.contextRunner.withUserConfiguration(InjectionConfiguration.class).run(context -> {
            assertThat(context).hasNotFailed();
            Dispatcher<?> orders = dispatcher(context, "orders");
            assertThat(context.getBean(EarlyConsumer.class).orders).isSameAs(orders);
            assertThat(context.getBean(EarlyConsumer.class).invoices).isSameAs(dispatcher(context, "invoices"));
            assertThat(context.getBean(SelfInjectingSink.class).orders).isSameAs(orders);
            assertThat(context.getBean(QualifierConsumer.class).orders).isSameAs(orders);
            assertThat(context.getBean(BatcherRegistry.class).names()).containsExactlyInAnyOrder("orders", "invoices");
            assertThat(context.getBean(BatcherRegistry.class).<OrderEvent>dispatcher("orders")).isSameAs(orders);
            assertThat(context.getBean(BatcherRegistry.class).find("nope")).isEmpty();
        });
    }

    @Test
    void itemsSubmittedDuringStartupAreSentOnceTheContextHasStarted() {
        this.contextRunner.withUserConfiguration(StartupProducerConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-age=10ms")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    OrderSink sink = context.getBean(OrderSink.class);
                    await().untilAsserted(() -> assertThat(sink.received).containsExactly(new OrderEvent("early")));
                    assertThat(StartupProducerConfiguration.sinkExistedAtSubmit).isFalse();
                });
    }

    @Test
    void sinkReceivesTheItemsOfEachBatchAsAList() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-age=10ms")
                .run(context -> {
                    Dispatcher<OrderEvent> orders = dispatcher(context, "orders");
                    orders.submit(new OrderEvent("a"));
                    orders.submit(new OrderEvent("b")).get();
                    assertThat(context.getBean(OrderSink.class).received).containsExactly(new OrderEvent("a"),
                            new OrderEvent("b"));
                });
    }

    @Test
    void sinkTakingBatchReceivesTheBatch() {
        this.contextRunner.withUserConfiguration(BatchParameterSink.class)
                .withPropertyValues("batcher.dispatchers.invoices.max-batch-age=10ms")
                .run(context -> {
                    Dispatcher<Invoice> invoices = dispatcher(context, "invoices");
                    invoices.submit(new Invoice("i-1")).get();
                    assertThat(context.getBean(BatchParameterSink.class).attempts).containsExactly(1);
                });
    }

    @Test
    void sinkBehindACglibProxyIsCalledThroughTheProxy() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class, ProxyingConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-age=10ms")
                .run(context -> {
                    assertThat(context.getBean(OrderSink.class).getClass().getName()).contains("CGLIB");
                    Dispatcher<OrderEvent> orders = dispatcher(context, "orders");
                    orders.submit(new OrderEvent("a")).get();
                    assertThat(ProxyingConfiguration.calls).hasPositiveValue();
                });
    }

    @Test
    void sinkWithWrongParameterFailsStartupNamingBeanMethodAndFix() {
        this.contextRunner.withUserConfiguration(WrongParameterSink.class).run(context -> assertStartupFailure(context,
                "Invalid @BatchSink method 'BatcherAutoConfigurationTests.WrongParameterSink.send(String)' on bean",
                "a sink method takes exactly one parameter, List<T> or Batch<T>",
                "declare it as 'send(List<YourItem> items)'"));
    }

    @Test
    void sinkWithTwoParametersFailsStartup() {
        this.contextRunner.withUserConfiguration(TwoParameterSink.class).run(context -> assertStartupFailure(context,
                "Invalid @BatchSink method 'BatcherAutoConfigurationTests.TwoParameterSink.send(List<BatcherAutoConfigurationTests.OrderEvent>, int)'",
                "exactly one parameter"));
    }

    @Test
    void sinkWithBlankNameFailsStartup() {
        this.contextRunner.withUserConfiguration(BlankNameSink.class).run(context -> assertStartupFailure(context,
                "Invalid @BatchSink method", "the dispatcher name is blank"));
    }

    @Test
    void twoSinksForOneNameFailStartupNamingBoth() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class, SecondOrderSink.class)
                .run(context -> assertStartupFailure(context, "Two @BatchSink methods for dispatcher 'orders'",
                        "'BatcherAutoConfigurationTests.OrderSink.store(List<BatcherAutoConfigurationTests.OrderEvent>)' on bean 'orderSink'",
                        "'BatcherAutoConfigurationTests.SecondOrderSink.send(List<BatcherAutoConfigurationTests.OrderEvent>)'",
                        "give one of them another name"));
    }

    @Test
    void configuredDispatcherWithoutSinkFailsStartup() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.payments.max-batch-items=10")
                .run(context -> assertStartupFailure(context,
                        "Dispatcher 'payments' is configured (batcher.dispatchers.payments.*) but no bean has a "
                                + "@BatchSink(\"payments\") method",
                        "Add one, such as '@BatchSink(\"payments\") void send(List<YourItem> items)'"));
    }

    @Test
    void sinkHiddenBehindAnInterfaceReturnTypeFailsStartup() {
        this.contextRunner.withUserConfiguration(InterfaceTypedSinkConfiguration.class)
                .run(context -> assertStartupFailure(context,
                        "@BatchSink method 'BatcherAutoConfigurationTests.OrderSink.store(List<BatcherAutoConfigurationTests.OrderEvent>)' on bean "
                                + "'hiddenSink' was not found when the bean definitions were scanned",
                        "Declare the bean with the class that holds the @BatchSink method"));
    }

    @Test
    void userDefinedDispatcherBeanWins() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class, UserDispatcherConfiguration.class)
                .withBean(SimpleMeterRegistry.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-items=7")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Dispatcher<?> orders = dispatcher(context, "orders");
                    assertThat(orders).isSameAs(context.getBean(UserDispatcherConfiguration.class).created);
                    assertThat(orders.config().maxBatchItems()).isEqualTo(3);
                    assertThat(context.getBean(BatcherRegistry.class).find("orders")).containsSame(orders);
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    assertThat(meters.get("batcher.items.submitted").tags("name", "orders", "kind", "dispatcher")
                            .functionCounter()).isNotNull();
                });
    }

    // ---- customizers and retry policies -------------------------------------------------------------------------

    @Test
    void customizersAdjustMatchingDispatchersOnly() {
        this.contextRunner.withUserConfiguration(InjectionConfiguration.class, CustomizerConfiguration.class)
                .run(context -> {
                    DispatcherConfig<?> orders = dispatcher(context, "orders").config();
                    assertThat(orders.errorHandler()).isSameAs(CustomizerConfiguration.ERROR_HANDLER);
                    assertThat(orders.dropHandler()).isSameAs(CustomizerConfiguration.DROP_HANDLER);
                    assertThat(orders.itemSizer()).isSameAs(CustomizerConfiguration.SIZER);
                    assertThat(orders.maxBatchItems()).isEqualTo(42);
                    DispatcherConfig<?> invoices = dispatcher(context, "invoices").config();
                    assertThat(invoices.errorHandler()).isNotSameAs(CustomizerConfiguration.ERROR_HANDLER);
                    assertThat(invoices.itemSizer()).isNull();
                    assertThat(invoices.maxBatchItems()).isEqualTo(42);
                });
    }

    @Test
    void customizerListenerIsComposedWithTheMetricsListener() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class, ListenerConfiguration.class)
                .withBean(SimpleMeterRegistry.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-age=10ms")
                .run(context -> {
                    Dispatcher<OrderEvent> orders = dispatcher(context, "orders");
                    orders.submit(new OrderEvent("a")).get();
                    await().untilAsserted(() -> assertThat(ListenerConfiguration.sends).hasPositiveValue());
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    await().untilAsserted(() -> assertThat(meters.get("batcher.send.duration")
                            .tags("name", "orders", "outcome", "success").timer().count()).isPositive());
                });
    }

    @Test
    void namedRetryPolicyAndBackOffPolicyBeansWinOverProperties() {
        this.contextRunner.withUserConfiguration(InjectionConfiguration.class, RetryConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.retry.max-attempts=3")
                .run(context -> {
                    DispatcherConfig<?> orders = dispatcher(context, "orders").config();
                    assertThat(orders.retryPolicy()).isSameAs(context.getBean("ordersRetryPolicy"));
                    assertThat(orders.backOffPolicy()).isSameAs(context.getBean("ordersBackOffPolicy"));
                    DispatcherConfig<?> invoices = dispatcher(context, "invoices").config();
                    assertThat(invoices.retryPolicy()).isNotSameAs(context.getBean("ordersRetryPolicy"));
                    assertThat(invoices.backOffPolicy()).isNotSameAs(context.getBean("ordersBackOffPolicy"));
                });
    }

    // ---- metrics -------------------------------------------------------------------------------------------------

    @Test
    void metersAreBoundWithNameAndKindTagsAndRemovedOnClose() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withBean(SimpleMeterRegistry.class)
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
    void noMetersWithoutAMeterRegistry() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .run(context -> assertThat(context).doesNotHaveBean(DispatcherMeterBinder.class)
                        .hasSingleBean(DefaultBatcherRegistry.class));
    }

    // ---- endpoint ------------------------------------------------------------------------------------------------

    @Test
    void endpointIsNotExposedByDefault() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .run(context -> assertThat(context).doesNotHaveBean(BatchersEndpoint.class));
    }

    @Test
    void endpointListsShowsAndControlsKnownInstances() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("management.endpoints.web.exposure.include=batchers",
                        "batcher.dispatchers.orders.max-batch-age=1h")
                .run(context -> {
                    assertThat(context).hasSingleBean(BatchersEndpoint.class);
                    BatchersEndpoint endpoint = context.getBean(BatchersEndpoint.class);
                    Dispatcher<OrderEvent> orders = dispatcher(context, "orders");
                    orders.submit(new OrderEvent("a"));

                    assertThat(endpoint.batchers().batchers()).singleElement().satisfies(descriptor -> {
                        assertThat(descriptor.name()).isEqualTo("orders");
                        assertThat(descriptor.kind()).isEqualTo("dispatcher");
                        assertThat(descriptor.bufferedItems()).isEqualTo(1);
                        assertThat(descriptor.totals().submitted()).isEqualTo(1);
                        assertThat(descriptor.neededCapacity()).isNull();
                    });
                    assertThat(endpoint.batcher("unknown")).isNull();
                    assertThat(endpoint.control("unknown", "flush")).isNull();

                    assertThat(endpoint.control("orders", "pause").paused()).isTrue();
                    assertThat(endpoint.control("orders", "resume").paused()).isFalse();
                    endpoint.control("orders", "flush");
                    await().untilAsserted(() -> {
                        assertThat(endpoint.batcher("orders").totals().sent()).isEqualTo(1);
                        assertThat(endpoint.batcher("orders").lastBatch().items()).isEqualTo(1);
                        assertThat(endpoint.batcher("orders").lastBatch().sentAt()).isNotNull();
                    });
                    assertThatExceptionOfType(InvalidEndpointRequestException.class)
                            .isThrownBy(() -> endpoint.control("orders", "explode"))
                            .withMessageContaining("Unknown action 'explode'; use flush, pause or resume");
                });
    }

    // ---- health --------------------------------------------------------------------------------------------------

    @Test
    void healthIsUpWhileSinksSucceed() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-age=10ms")
                .run(context -> {
                    dispatcher(context, "orders").submit(new OrderEvent("a")).get();
                    Health health = context.getBean("batchersHealthIndicator", HealthIndicator.class).health();
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails()).containsKey("orders");
                });
    }

    @Test
    void healthIsDownWhileASinkKeepsFailing() {
        this.contextRunner.withUserConfiguration(FailingSink.class)
                .withPropertyValues("batcher.dispatchers.failing.max-batch-age=10ms",
                        "batcher.dispatchers.failing.retry.initial-backoff=5ms",
                        "batcher.dispatchers.failing.retry.max-backoff=5ms",
                        "batcher.health.max-consecutive-failures=3", "batcher.shutdown.timeout=50ms")
                .run(context -> {
                    dispatcher(context, "failing").submit(new OrderEvent("a"));
                    HealthIndicator indicator = context.getBean("batchersHealthIndicator", HealthIndicator.class);
                    await().untilAsserted(() -> assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN));
                    assertThat(indicator.health().getDetails().get("failing")).asString()
                            .contains("batcher.health.max-consecutive-failures=3");
                });
    }

    @Test
    void healthIsDownWhileABufferStaysFull() {
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
                    HealthIndicator indicator = context.getBean("batchersHealthIndicator", HealthIndicator.class);
                    await().untilAsserted(() -> assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN));
                    assertThat(indicator.health().getDetails().get("orders")).asString()
                            .contains("the buffer has been full");
                    orders.resume();
                    await().untilAsserted(() -> assertThat(indicator.health().getStatus()).isEqualTo(Status.UP));
                });
    }

    @Test
    void healthIndicatorCanBeDisabled() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("management.health.batchers.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(BatchersHealthIndicator.class));
    }

    // ---- lifecycle -----------------------------------------------------------------------------------------------

    @Test
    void closingTheContextDrainsEveryDispatcher() {
        OrderSink sink = new OrderSink();
        this.contextRunner.withBean(OrderSink.class, () -> sink)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-age=1h")
                .run(context -> {
                    Dispatcher<OrderEvent> orders = dispatcher(context, "orders");
                    for (int i = 0; i < 25; i++) {
                        orders.enqueue(new OrderEvent("e" + i));
                    }
                    assertThat(sink.received).isEmpty();
                    context.close();
                    assertThat(sink.received).hasSize(25);
                    assertThat(orders.isDrained()).isTrue();
                    assertThat(orders.stats().isBalanced()).isTrue();
                });
    }

    @Test
    void lifecycleStartsBeforeAndStopsAfterTheWebServer() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class).run(context -> {
            BatcherLifecycle lifecycle = context.getBean(BatcherLifecycle.class);
            assertThat(lifecycle.isRunning()).isTrue();
            // WebServerStartStopLifecycle: DEFAULT_PHASE - 2048; WebServerGracefulShutdownLifecycle: DEFAULT_PHASE - 1024.
            assertThat(lifecycle.getPhase()).isLessThan(SmartLifecycle.DEFAULT_PHASE - 2048);
            assertThat(dispatcher(context, "orders").stats().paused()).isFalse();
        });
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private static <T> Dispatcher<T> dispatcher(AssertableApplicationContext context, String name) {
        assertThat(context).hasNotFailed();
        return context.getBean(name, Dispatcher.class);
    }

    private static void assertStartupFailure(AssertableApplicationContext context, String... fragments) {
        assertThat(context).hasFailed();
        Throwable failure = context.getStartupFailure();
        Throwable cause = failure;
        while (cause != null && !(cause instanceof IllegalStateException)) {
            cause = cause.getCause();
        }
        Throwable illegalState = (cause != null) ? cause : failure;
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> {
            throw illegalState;
        }).withMessageContainingAll(fragments);
    }

    // ---- test types ----------------------------------------------------------------------------------------------

    record OrderEvent(String id) {
    }

    record Invoice(String id) {
    }

    static class OrderSink {

        final List<OrderEvent> received = new CopyOnWriteArrayList<>();

        @BatchSink("orders")
        public void store(List<OrderEvent> batch) {
            this.received.addAll(batch);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OrderSinkConfiguration {

        @Bean
        OrderSink orderSink() {
            return new OrderSink();
        }
    }

    /** A producer created before the sink's bean submits from its factory method. */
    @Configuration(proxyBeanMethods = false)
    static class StartupProducerConfiguration {

        static volatile boolean sinkExistedAtSubmit = true;

        @Bean
        Object startupProducer(Dispatcher<OrderEvent> orders, org.springframework.beans.factory.BeanFactory beans) {
            sinkExistedAtSubmit = ((org.springframework.beans.factory.config.ConfigurableListableBeanFactory) beans)
                    .containsSingleton("orderSink");
            orders.submit(new OrderEvent("early"));
            return "producer";
        }

        @Bean
        OrderSink orderSink() {
            return new OrderSink();
        }
    }

    static class SecondOrderSink {

        @BatchSink("orders")
        void send(List<OrderEvent> batch) {
        }
    }

    static class FailingSink {

        @BatchSink("failing")
        void send(List<OrderEvent> batch) {
            throw new IllegalStateException("database down");
        }
    }

    static class WrongParameterSink {

        @BatchSink("orders")
        void send(String item) {
        }
    }

    static class TwoParameterSink {

        @BatchSink("orders")
        void send(List<OrderEvent> items, int count) {
        }
    }

    static class BlankNameSink {

        @BatchSink(" ")
        void send(List<OrderEvent> items) {
        }
    }

    static class BatchParameterSink {

        final List<Integer> attempts = new CopyOnWriteArrayList<>();

        @BatchSink("invoices")
        void send(Batch<Invoice> batch) {
            this.attempts.add(batch.attempt());
        }
    }

    /** Declares the sink first and the consumers later, and the reverse, by registration order. */
    @Configuration(proxyBeanMethods = false)
    static class InjectionConfiguration {

        @Bean
        EarlyConsumer earlyConsumer(Dispatcher<OrderEvent> orders, Dispatcher<Invoice> invoices) {
            return new EarlyConsumer(orders, invoices);
        }

        @Bean
        SelfInjectingSink selfInjectingSink(Dispatcher<OrderEvent> orders) {
            return new SelfInjectingSink(orders);
        }

        @Bean
        QualifierConsumer qualifierConsumer(@Qualifier("orders") Dispatcher<?> orders) {
            return new QualifierConsumer(orders);
        }

        @Bean
        BatchParameterSink invoiceSink() {
            return new BatchParameterSink();
        }
    }

    record EarlyConsumer(Dispatcher<OrderEvent> orders, Dispatcher<Invoice> invoices) {
    }

    record QualifierConsumer(Dispatcher<?> orders) {
    }

    static class SelfInjectingSink {

        final Dispatcher<OrderEvent> orders;

        SelfInjectingSink(Dispatcher<OrderEvent> orders) {
            this.orders = orders;
        }

        @BatchSink("orders")
        void send(List<OrderEvent> batch) {
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class InterfaceTypedSinkConfiguration {

        @Bean
        Object hiddenSink() {
            return new OrderSink();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserDispatcherConfiguration {

        Dispatcher<OrderEvent> created;

        @Bean
        Dispatcher<OrderEvent> orders() {
            this.created = Dispatcher.create("orders", DispatcherConfig.<OrderEvent>builder().maxBatchItems(3).build(),
                    batch -> {
                    });
            return this.created;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SizerAndKeyConfiguration {

        @Bean
        DispatcherCustomizer<OrderEvent> sizerAndKey() {
            return DispatcherCustomizer.forDispatcher("orders", builder -> builder
                    .itemSizer(event -> event.id().length())
                    .keyExtractor(OrderEvent::id));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomizerConfiguration {

        static final ErrorHandler<OrderEvent> ERROR_HANDLER = (batch, error) -> false;

        static final DropHandler<OrderEvent> DROP_HANDLER = (items, reason, cause) -> {
        };

        static final ItemSizer<OrderEvent> SIZER = event -> 1;

        @Bean
        DispatcherCustomizer<OrderEvent> orderCustomizer() {
            return (name, builder) -> builder.errorHandler(ERROR_HANDLER).dropHandler(DROP_HANDLER).itemSizer(SIZER);
        }

        @Bean
        DispatcherCustomizer<Object> everyDispatcher() {
            return (name, builder) -> builder.maxBatchItems(42);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ListenerConfiguration {

        static final AtomicInteger sends = new AtomicInteger();

        @Bean
        DispatcherCustomizer<Object> listener() {
            return (name, builder) -> builder.listener(new DispatcherListener() {
                @Override
                public void onSendCompleted(int items, long bytes, long durationNanos,
                        dev.batcher.SendOutcome outcome) {
                    sends.incrementAndGet();
                }
            });
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class RetryConfiguration {

        @Bean
        RetryPolicy ordersRetryPolicy() {
            return new NeverRetryPolicy();
        }

        @Bean
        BackOffPolicy ordersBackOffPolicy() {
            return new FixedBackOffPolicy();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ProxyingConfiguration {

        static final AtomicInteger calls = new AtomicInteger();

        @Bean
        static BeanPostProcessor cglibProxies() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String beanName) {
                    if (!(bean instanceof OrderSink)) {
                        return bean;
                    }
                    ProxyFactory factory = new ProxyFactory(bean);
                    factory.setProxyTargetClass(true);
                    factory.addAdvice((MethodInterceptor) invocation -> {
                        calls.incrementAndGet();
                        return invocation.proceed();
                    });
                    return factory.getProxy();
                }
            };
        }
    }

}
