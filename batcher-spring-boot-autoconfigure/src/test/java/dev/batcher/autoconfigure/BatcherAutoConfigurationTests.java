package dev.batcher.autoconfigure;

import static dev.batcher.autoconfigure.TestSinks.dispatcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.autoconfigure.TestSinks.InvoiceSink;
import dev.batcher.autoconfigure.TestSinks.OrderEvent;
import dev.batcher.autoconfigure.TestSinks.OrderSink;
import dev.batcher.autoconfigure.TestSinks.OrderSinkConfiguration;
import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherConfig;
import dev.batcher.dispatch.DispatcherListener;
import dev.batcher.DropHandler;
import dev.batcher.ErrorHandler;
import dev.batcher.FullBehavior;
import dev.batcher.ItemSizer;
import dev.batcher.Ordering;
import dev.batcher.SendOutcome;
import dev.batcher.spring.BatchSink;
import dev.batcher.spring.BatcherRegistry;
import dev.batcher.spring.DispatcherCustomizer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.retry.RetryPolicy;
import org.springframework.retry.backoff.BackOffPolicy;
import org.springframework.retry.backoff.FixedBackOffPolicy;
import org.springframework.retry.policy.NeverRetryPolicy;
import org.springframework.util.unit.DataSize;

/** {@link BatcherAutoConfiguration}: properties, {@code @BatchSink} discovery, injection, customizers, lifecycle. */
@ExtendWith(OutputCaptureExtension.class)
class BatcherAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BatcherAutoConfiguration.class));

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
            assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(25));
            BatcherProperties properties = context.getBean(BatcherProperties.class);
            assertThat(properties.getShutdown().getTimeout()).isEqualTo(Duration.ofSeconds(25));
            assertThat(properties.getHealth().getMaxConsecutiveFailures()).isEqualTo(10);
            assertThat(properties.getHealth().getMaxFullDuration()).isEqualTo(Duration.ofSeconds(30));
        });
    }

    @Test
    void theDefaultsGroupDocumentsTheEngineDefaults() {
        DispatcherProperties documented = new DispatcherProperties();
        DispatcherConfig<Object> engine = DispatcherConfig.defaults();
        assertThat(documented.getMaxBatchItems()).isEqualTo(engine.maxBatchItems());
        assertThat(documented.getMaxBatchBytes()).isNull();
        assertThat(documented.getMaxBatchAge()).isEqualTo(engine.maxBatchAge());
        assertThat(documented.getOrdering()).isEqualTo(engine.ordering());
        assertThat(documented.getSendTimeout()).isEqualTo(engine.sendTimeout());
        assertThat(documented.getBuffer().getMaxItems()).isEqualTo(engine.bufferMaxItems());
        assertThat(documented.getBuffer().getFullBehavior()).isEqualTo(engine.fullBehavior());
        assertThat(documented.getBuffer().getBlockTimeout()).isEqualTo(engine.blockTimeout());
        assertThat(documented.getRateLimit().getBatchesPerSecond()).isEqualTo(engine.batchesPerSecond());
        assertThat(documented.getRateLimit().getBurst()).isEqualTo(engine.burst());
        assertThat(documented.getRateLimit().getMinBatchesPerSecond()).isEqualTo(engine.minBatchesPerSecond());
        assertThat(documented.getRetry().getMaxAttempts()).isEqualTo(engine.maxAttempts());
        assertThat(documented.getRetry().getInitialBackoff()).isEqualTo(engine.initialBackoff());
        assertThat(documented.getRetry().getMultiplier()).isEqualTo(engine.multiplier());
        assertThat(documented.getRetry().getMaxBackoff()).isEqualTo(engine.maxBackoff());
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
    void everyDispatcherStartsFromBatcherDefaultsAndOverridesWhatItSets() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class, InvoiceSink.class)
                .withPropertyValues("batcher.defaults.max-batch-items=50", "batcher.defaults.buffer.max-items=500",
                        "batcher.defaults.retry.max-attempts=3", "batcher.dispatchers.orders.max-batch-items=20",
                        "batcher.dispatchers.orders.retry.initial-backoff=1s")
                .run(context -> {
                    DispatcherConfig<?> orders = dispatcher(context, "orders").config();
                    assertThat(orders.maxBatchItems()).isEqualTo(20);
                    assertThat(orders.bufferMaxItems()).isEqualTo(500);
                    assertThat(orders.maxAttempts()).isEqualTo(3);
                    assertThat(orders.initialBackoff()).isEqualTo(Duration.ofSeconds(1));
                    DispatcherConfig<?> invoices = dispatcher(context, "invoices").config();
                    assertThat(invoices.maxBatchItems()).isEqualTo(50);
                    assertThat(invoices.bufferMaxItems()).isEqualTo(500);
                    assertThat(invoices.maxAttempts()).isEqualTo(3);
                    assertThat(invoices.initialBackoff()).isEqualTo(DispatcherConfig.DEFAULT_INITIAL_BACKOFF);
                });
    }

    @Test
    void fifoOrderingAloneStartsWithOneSendAtATime() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.ordering=fifo")
                .run(context -> {
                    DispatcherConfig<?> config = dispatcher(context, "orders").config();
                    assertThat(config.ordering()).isEqualTo(Ordering.FIFO);
                    assertThat(config.maxConcurrentSends()).isEqualTo(1);
                });
    }

    @Test
    void fifoWithMoreThanOneSendFailsStartupNamingThePropertyAndValue() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.ordering=fifo",
                        "batcher.dispatchers.orders.max-concurrent-sends=4")
                .run(context -> assertStartupFailure(context,
                        "batcher.dispatchers.orders.max-concurrent-sends=4: ordering fifo sends one batch at a time"));
    }

    @Test
    void invalidValueFailsStartupNamingThePropertyValueAndFix() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-items=-5")
                .run(context -> {
                    InvalidDispatcherPropertyException failure = assertStartupFailure(context,
                            "batcher.dispatchers.orders.max-batch-items=-5: must be at least 1",
                            "Update batcher.dispatchers.orders.max-batch-items in your configuration, or remove it");
                    assertThat(failure.getDescription()).contains("Property: batcher.dispatchers.orders.max-batch-items",
                            "Value: \"-5\"", "Origin: \"batcher.dispatchers.orders.max-batch-items\" from property "
                                    + "source \"test\"", "Reason: must be at least 1");
                });
    }

    @Test
    void invalidInheritedValueIsReportedUnderItsDefaultsKey() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.defaults.buffer.max-items=0")
                .run(context -> assertStartupFailure(context,
                        "batcher.defaults.buffer.max-items=0: must be at least 1"));
    }

    @Test
    void invalidValueNobodySetIsCalledTheDefault() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.retry.initial-backoff=2m")
                .run(context -> assertStartupFailure(context,
                        "batcher.dispatchers.orders.retry.max-backoff=1m (the default): must not be shorter than "
                                + "retry.initial-backoff",
                        "Set batcher.dispatchers.orders.retry.max-backoff (or batcher.defaults.retry.max-backoff)"));
    }

    @Test
    void byteLimitWithoutItemSizerSaysHowToSetOne() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-bytes=1MB")
                .run(context -> assertStartupFailure(context,
                        "batcher.dispatchers.orders.max-batch-bytes=1MB: a byte limit needs an item sizer",
                        "Give dispatcher 'orders' an item sizer with a DispatcherCustomizer bean, for example "
                                + "'@Bean DispatcherCustomizer<OrderEvent> ordersItemSizer() { return DispatcherCustomizer"
                                + ".forDispatcher(\"orders\", builder -> builder.itemSizer(orderEvent -> "
                                + "orderEvent.toString().length())); }', or remove "
                                + "batcher.dispatchers.orders.max-batch-bytes."));
    }

    @Test
    void perKeyOrderingWithoutKeyExtractorSaysHowToSetOne() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.ordering=per-key")
                .run(context -> assertStartupFailure(context,
                        "batcher.dispatchers.orders.ordering=per-key: per-key ordering needs a key extractor",
                        "Give dispatcher 'orders' a key extractor with a DispatcherCustomizer bean, for example "
                                + "'@Bean DispatcherCustomizer<OrderEvent> ordersKey() { return DispatcherCustomizer"
                                + ".forDispatcher(\"orders\", builder -> builder.keyExtractor(orderEvent -> "
                                + "orderEvent.key())); }'"));
    }

    @Test
    void unknownEnumValueFailsStartupNamingTheProperty() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.buffer.full-behavior=sometimes")
                .run(context -> {
                    assertThat(context).hasFailed();
                    BindException failure = findCause(context.getStartupFailure(), BindException.class);
                    assertThat(failure.getProperty().getName())
                            .hasToString("batcher.dispatchers.orders.buffer.full-behavior");
                });
    }

    @Test
    void misspelledKeysFailStartup() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-itmes=5",
                        "batcher.dispatcher.orders.max-batch-items=5")
                .run(context -> {
                    assertThat(context).hasFailed();
                    UnboundConfigurationPropertiesException unbound = findCause(context.getStartupFailure(),
                            UnboundConfigurationPropertiesException.class);
                    assertThat(unbound.getUnboundProperties()).extracting(property -> property.getName().toString())
                            .containsExactlyInAnyOrder("batcher.dispatchers.orders.max-batch-itmes",
                                    "batcher.dispatcher.orders.max-batch-items");
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
            assertThat(context.getBean(BatcherRegistry.class).find("nope")).isEmpty();
        });
    }

    @Test
    void sinkBeanNamedLikeItsDispatcherStartsAndTheDispatcherStaysInjectable() {
        this.contextRunner.withUserConfiguration(WordsConfiguration.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean("words")).isInstanceOf(Words.class);
            Dispatcher<Word> words = dispatcher(context, "words");
            WordsConsumer consumer = context.getBean(WordsConsumer.class);
            assertThat(consumer.byQualifier).isSameAs(words);
            assertThat(consumer.byType).isSameAs(words);
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
                    assertThat(context.getBean(StartupProducer.class).sinkExistedAtSubmit).isFalse();
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
        this.contextRunner.withUserConfiguration(InvoiceSink.class)
                .withPropertyValues("batcher.dispatchers.invoices.max-batch-age=10ms")
                .run(context -> {
                    Dispatcher<TestSinks.Invoice> invoices = dispatcher(context, "invoices");
                    invoices.submit(new TestSinks.Invoice("i-1")).get();
                    assertThat(context.getBean(InvoiceSink.class).attempts).containsExactly(1);
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
                    assertThat(context.getBean(CountingProxies.class).calls).hasPositiveValue();
                });
    }

    @Test
    void sinkWithWrongParameterFailsStartupNamingBeanMethodAndFix() {
        this.contextRunner.withUserConfiguration(WrongParameterSink.class).run(context -> assertStartupFailure(context,
                "Invalid @BatchSink method 'BatcherAutoConfigurationTests.WrongParameterSink.send(String)' on bean",
                "a sink method takes exactly one parameter, List<T> or Batch<T>",
                "Declare it as 'send(List<YourItem> items)'"));
    }

    @Test
    void sinkWithTwoParametersFailsStartup() {
        this.contextRunner.withUserConfiguration(TwoParameterSink.class).run(context -> assertStartupFailure(context,
                "Invalid @BatchSink method 'BatcherAutoConfigurationTests.TwoParameterSink.send(List<TestSinks.OrderEvent>, int)'",
                "exactly one parameter"));
    }

    @Test
    void sinkWithBlankNameFailsStartup() {
        this.contextRunner.withUserConfiguration(BlankNameSink.class).run(context -> assertStartupFailure(context,
                "Invalid @BatchSink method", "the dispatcher name is blank", "Name the dispatcher"));
    }

    @Test
    void twoSinksForOneNameFailStartupNamingBoth() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class, SecondOrderSink.class)
                .run(context -> assertStartupFailure(context, "Two @BatchSink methods for dispatcher 'orders'",
                        "'TestSinks.OrderSink.store(List<TestSinks.OrderEvent>)' on bean 'orderSink'",
                        "'BatcherAutoConfigurationTests.SecondOrderSink.send(List<TestSinks.OrderEvent>)'",
                        "Give one of them another name"));
    }

    @Test
    void configuredDispatcherWithoutSinkFailsStartupSuggestingTheClosestName() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.oders.max-batch-items=10")
                .run(context -> assertStartupFailure(context,
                        "Dispatcher 'oders' is configured (batcher.dispatchers.oders.*) but no bean has a "
                                + "@BatchSink(\"oders\") method",
                        "Did you mean 'orders'?",
                        "Add a sink, such as '@BatchSink(\"oders\") void send(List<YourItem> items)'"));
    }

    @Test
    void sinkHiddenBehindAnInterfaceReturnTypeFailsStartup() {
        this.contextRunner.withUserConfiguration(InterfaceTypedSinkConfiguration.class)
                .run(context -> assertStartupFailure(context,
                        "@BatchSink method 'TestSinks.OrderSink.store(List<TestSinks.OrderEvent>)' on bean "
                                + "'hiddenSink' was not found when the bean definitions were scanned",
                        "Declare the bean with the class that holds the @BatchSink method"));
    }

    // ---- customizers and retry policies -------------------------------------------------------------------------

    @Test
    void customizersAdjustMatchingDispatchersOnly() {
        this.contextRunner.withUserConfiguration(InjectionConfiguration.class, CustomizerConfiguration.class)
                .run(context -> {
                    DispatcherConfig<?> orders = dispatcher(context, "orders").config();
                    assertThat(orders.errorHandler()).isSameAs(CustomizerConfiguration.ERROR_HANDLER);
                    assertThat(orders.itemSizer()).isSameAs(CustomizerConfiguration.SIZER);
                    assertThat(orders.maxBatchItems()).isEqualTo(42);
                    DispatcherConfig<?> invoices = dispatcher(context, "invoices").config();
                    assertThat(invoices.errorHandler()).isNotSameAs(CustomizerConfiguration.ERROR_HANDLER);
                    assertThat(invoices.itemSizer()).isNull();
                    assertThat(invoices.maxBatchItems()).isEqualTo(42);
                });
    }

    @Test
    void customizerDropHandlerIsCalledForEveryDrop() {
        this.contextRunner.withUserConfiguration(TestSinks.FailingSink.class, DropRecorderConfiguration.class)
                .withPropertyValues("batcher.dispatchers.failing.max-batch-age=10ms",
                        "batcher.dispatchers.failing.retry.max-attempts=1")
                .run(context -> {
                    Dispatcher<OrderEvent> failing = dispatcher(context, "failing");
                    failing.enqueue(new OrderEvent("a"));
                    List<String> drops = context.getBean(DropRecorderConfiguration.class).drops;
                    await().untilAsserted(() -> assertThat(drops).containsExactly("a:retries-exhausted"));
                });
    }

    @Test
    void customizerListenerIsCalledBesideTheStartersListeners() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class, ListenerConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-age=10ms")
                .run(context -> {
                    Dispatcher<OrderEvent> orders = dispatcher(context, "orders");
                    orders.submit(new OrderEvent("a")).get();
                    AtomicInteger sends = context.getBean(ListenerConfiguration.class).sends;
                    await().untilAsserted(() -> assertThat(sends).hasPositiveValue());
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
    void dispatchersRunBeforeTheWebServerStartsAndDrainAfterItStopped() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class, LifecycleOrderConfiguration.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    List<String> events = context.getBean(LifecycleOrderConfiguration.class).events;
                    context.close();
                    assertThat(events).containsExactly("web server started, orders sending",
                            "graceful shutdown started, orders sending", "graceful shutdown stopped",
                            "web server stopped", "orders drained");
                });
    }

    @Test
    void warnsWhenTheShutdownPhaseIsShorterThanTheDrain(CapturedOutput output) {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=20s", "batcher.shutdown.timeout=30s")
                .run(context -> assertThat(output).contains("spring.lifecycle.timeout-per-shutdown-phase=20s is "
                        + "shorter than batcher.shutdown.timeout=30s plus the 5s that closing an instance may take "
                        + "beyond it", "Set spring.lifecycle.timeout-per-shutdown-phase to at least 35s, or "
                        + "batcher.shutdown.timeout to at most 15s."));
    }

    @Test
    void doesNotWarnAboutTheShutdownPhaseWithTheDefaults(CapturedOutput output) {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(output).doesNotContain("timeout-per-shutdown-phase");
                });
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    static <E extends Throwable> E findCause(Throwable failure, Class<E> type) {
        Throwable cause = failure;
        while (cause != null && !type.isInstance(cause)) {
            cause = cause.getCause();
        }
        assertThat(cause).as("a %s in the causes of %s", type.getSimpleName(), failure).isNotNull();
        return type.cast(cause);
    }

    static <E extends BatcherStartupException> E assertStartupFailure(AssertableApplicationContext context,
            String... fragments) {
        assertThat(context).hasFailed();
        Throwable cause = context.getStartupFailure();
        while (cause != null && !(cause instanceof BatcherStartupException)) {
            cause = cause.getCause();
        }
        assertThat(cause).as("a BatcherStartupException in the causes of %s", context.getStartupFailure())
                .isNotNull();
        assertThat(cause.getMessage()).contains(fragments);
        @SuppressWarnings("unchecked")
        E failure = (E) cause;
        return failure;
    }

    // ---- test types ----------------------------------------------------------------------------------------------

    /** A lifecycle at a web server's phase, recording when it starts and stops and whether orders are sent then. */
    static final class WebServerLike implements SmartLifecycle {

        private final String name;

        private final int phase;

        private final List<String> events;

        private final BatcherRegistry registry;

        private volatile boolean running;

        WebServerLike(String name, int phase, List<String> events, BatcherRegistry registry) {
            this.name = name;
            this.phase = phase;
            this.events = events;
            this.registry = registry;
        }

        @Override
        public void start() {
            this.running = true;
            boolean paused = this.registry.dispatcher("orders").stats().paused();
            this.events.add(this.name + " started, orders " + (paused ? "paused" : "sending"));
        }

        @Override
        public void stop() {
            this.running = false;
            this.events.add(this.name + " stopped");
        }

        @Override
        public boolean isRunning() {
            return this.running;
        }

        @Override
        public int getPhase() {
            return this.phase;
        }
    }

    /** The phases of Spring Boot's web server lifecycles, and a record of when each stops and orders drains. */
    @Configuration(proxyBeanMethods = false)
    static class LifecycleOrderConfiguration {

        final List<String> events = new CopyOnWriteArrayList<>();

        @Bean
        WebServerLike webServerStartStop(BatcherRegistry registry) {
            return new WebServerLike("web server", SmartLifecycle.DEFAULT_PHASE - 2048, this.events, registry);
        }

        @Bean
        WebServerLike webServerGracefulShutdown(BatcherRegistry registry) {
            return new WebServerLike("graceful shutdown", SmartLifecycle.DEFAULT_PHASE - 1024, this.events, registry);
        }

        @Bean
        DispatcherCustomizer<OrderEvent> recordDrain() {
            return DispatcherCustomizer.forDispatcher("orders",
                    builder -> builder.drainedCallback(() -> this.events.add("orders drained")));
        }
    }

    static class SecondOrderSink {

        @BatchSink("orders")
        void send(List<OrderEvent> batch) {
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

    record Word(String text) {
    }

    /** A sink whose bean name is its dispatcher's name. */
    static class Words {

        @BatchSink("words")
        void send(List<Word> batch) {
        }
    }

    record WordsConsumer(Dispatcher<Word> byQualifier, Dispatcher<Word> byType) {
    }

    @Configuration(proxyBeanMethods = false)
    static class WordsConfiguration {

        @Bean
        Words words() {
            return new Words();
        }

        @Bean
        WordsConsumer wordsConsumer(@Qualifier("words") Dispatcher<Word> byQualifier, Dispatcher<Word> byType) {
            return new WordsConsumer(byQualifier, byType);
        }
    }

    /** Submits from its factory method, before the sink's bean exists. */
    static final class StartupProducer {

        final boolean sinkExistedAtSubmit;

        StartupProducer(boolean sinkExistedAtSubmit) {
            this.sinkExistedAtSubmit = sinkExistedAtSubmit;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class StartupProducerConfiguration {

        @Bean
        StartupProducer startupProducer(Dispatcher<OrderEvent> orders, ConfigurableListableBeanFactory beans) {
            boolean sinkExisted = beans.containsSingleton("orderSink");
            orders.submit(new OrderEvent("early"));
            return new StartupProducer(sinkExisted);
        }

        @Bean
        OrderSink orderSink() {
            return new OrderSink();
        }
    }

    /** Declares the sink first and the consumers later, and the reverse, by registration order. */
    @Configuration(proxyBeanMethods = false)
    static class InjectionConfiguration {

        @Bean
        EarlyConsumer earlyConsumer(Dispatcher<OrderEvent> orders, Dispatcher<TestSinks.Invoice> invoices) {
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
        InvoiceSink invoiceSink() {
            return new InvoiceSink();
        }
    }

    record EarlyConsumer(Dispatcher<OrderEvent> orders, Dispatcher<TestSinks.Invoice> invoices) {
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

        static final ItemSizer<OrderEvent> SIZER = event -> 1;

        @Bean
        DispatcherCustomizer<OrderEvent> orderCustomizer() {
            return (name, builder) -> builder.errorHandler(ERROR_HANDLER).itemSizer(SIZER);
        }

        @Bean
        DispatcherCustomizer<Object> everyDispatcher() {
            return (name, builder) -> builder.maxBatchItems(42);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class DropRecorderConfiguration {

        final List<String> drops = new CopyOnWriteArrayList<>();

        @Bean
        DispatcherCustomizer<OrderEvent> dropRecorder() {
            DropHandler<OrderEvent> handler = (items, reason, cause) -> items
                    .forEach(item -> this.drops.add(item.id() + ":" + reason.tagValue()));
            return (name, builder) -> builder.dropHandler(handler);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ListenerConfiguration {

        final AtomicInteger sends = new AtomicInteger();

        @Bean
        DispatcherCustomizer<Object> listener() {
            return (name, builder) -> builder.listener(new DispatcherListener() {
                @Override
                public void onSendCompleted(int items, long bytes, long durationNanos, SendOutcome outcome) {
                    ListenerConfiguration.this.sends.incrementAndGet();
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

    /** Wraps the order sink in a CGLIB proxy that counts calls. */
    static final class CountingProxies implements BeanPostProcessor {

        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Object postProcessAfterInitialization(Object bean, String beanName) {
            if (!(bean instanceof OrderSink)) {
                return bean;
            }
            ProxyFactory factory = new ProxyFactory(bean);
            factory.setProxyTargetClass(true);
            factory.addAdvice((MethodInterceptor) invocation -> {
                this.calls.incrementAndGet();
                return invocation.proceed();
            });
            return factory.getProxy();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ProxyingConfiguration {

        @Bean
        static CountingProxies countingProxies() {
            return new CountingProxies();
        }
    }
}
