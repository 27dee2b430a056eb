package dev.batcher.autoconfigure;

import static dev.batcher.autoconfigure.BatcherAutoConfigurationTests.assertStartupFailure;
import static dev.batcher.autoconfigure.TestWatchers.batcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import dev.batcher.FullBehavior;
import dev.batcher.autoconfigure.TestWatchers.Audit;
import dev.batcher.autoconfigure.TestWatchers.BlockingWatcher;
import dev.batcher.autoconfigure.TestWatchers.CosmosWatchers;
import dev.batcher.autoconfigure.TestWatchers.Order;
import dev.batcher.cost.Batcher;
import dev.batcher.cost.BatcherConfig;
import dev.batcher.cost.Operation;
import dev.batcher.cost.TooExpensiveException;
import dev.batcher.cost.Watcher;
import dev.batcher.limit.ProvisionedCapacity;
import dev.batcher.spring.BatchSink;
import dev.batcher.spring.BatchWatcher;
import dev.batcher.spring.BatcherRegistry;
import dev.batcher.spring.CostBatchers;
import dev.batcher.spring.WatcherHandle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link CostBatcherAutoConfiguration}: {@code batcher.batchers.<name>.*}, {@code @BatchWatcher} discovery, the
 * {@code Batcher} and {@code WatcherHandle} beans, {@link CostBatchers}, lifecycle and startup failures.
 */
class CostBatcherAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BatcherAutoConfiguration.class,
                    CostBatcherAutoConfiguration.class));

    // ---- properties ------------------------------------------------------------------------------------------

    @Test
    void watcherWithoutPropertiesGetsTheEngineDefaults() {
        this.contextRunner.withBean(CosmosWatchers.class).run(context -> {
            BatcherConfig config = batcher(context, "cosmos").config();
            BatcherConfig engine = BatcherConfig.defaults();
            assertThat(config.capacityLimiter()).isNull();
            assertThat(config.flushInterval()).isEqualTo(engine.flushInterval());
            assertThat(config.capacityInterval()).isEqualTo(engine.capacityInterval());
            assertThat(config.auditInterval()).isEqualTo(engine.auditInterval());
            assertThat(config.maxOperationTime()).isEqualTo(engine.maxOperationTime());
            assertThat(config.pauseTime()).isEqualTo(engine.pauseTime());
            assertThat(config.maxConcurrentBatches()).isEqualTo(engine.maxConcurrentBatches());
            assertThat(config.buffer()).isEqualTo(engine.buffer());
            assertThat(config.throttleDecrease()).isEqualTo(engine.throttleDecrease());
            assertThat(config.throttleRecoveryStep()).isEqualTo(engine.throttleRecoveryStep());
            assertThat(config.emitBatch()).isFalse();
            assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(25));
        });
    }

    @Test
    void thePropertiesDocumentTheEngineDefaults() {
        CostBatcherProperties documented = new CostBatcherProperties();
        BatcherConfig engine = BatcherConfig.defaults();
        assertThat(documented.getCapacity()).isNull();
        assertThat(documented.getFlushInterval()).isEqualTo(engine.flushInterval());
        assertThat(documented.getCapacityInterval()).isEqualTo(engine.capacityInterval());
        assertThat(documented.getAuditInterval()).isEqualTo(engine.auditInterval());
        assertThat(documented.getMaxOperationTime()).isEqualTo(engine.maxOperationTime());
        assertThat(documented.getPauseTime()).isEqualTo(engine.pauseTime());
        assertThat(documented.getMaxConcurrentBatches()).isEqualTo(engine.maxConcurrentBatches());
        assertThat(documented.isEmitBatch()).isEqualTo(engine.emitBatch());
        assertThat(documented.getBuffer().getMaxItems()).isEqualTo(engine.bufferMaxItems());
        assertThat(documented.getBuffer().getFullBehavior()).isEqualTo(engine.fullBehavior());
        assertThat(documented.getBuffer().getBlockTimeout()).isEqualTo(engine.buffer().blockTimeout());
        assertThat(documented.getThrottle().getDecreaseFactor()).isEqualTo(engine.throttleDecrease());
        assertThat(documented.getThrottle().getRecoveryStep()).isEqualTo(engine.throttleRecoveryStep());
    }

    @Test
    void everyPropertyBinds() {
        this.contextRunner.withBean(CosmosWatchers.class)
                .withPropertyValues("batcher.batchers.cosmos.capacity=5000",
                        "batcher.batchers.cosmos.flush-interval=50ms",
                        "batcher.batchers.cosmos.capacity-interval=200ms",
                        "batcher.batchers.cosmos.audit-interval=20s",
                        "batcher.batchers.cosmos.max-operation-time=30s",
                        "batcher.batchers.cosmos.pause-time=2s",
                        "batcher.batchers.cosmos.max-concurrent-batches=3",
                        "batcher.batchers.cosmos.emit-batch=true",
                        "batcher.batchers.cosmos.buffer.max-items=500",
                        "batcher.batchers.cosmos.buffer.full-behavior=reject",
                        "batcher.batchers.cosmos.buffer.block-timeout=3s",
                        "batcher.batchers.cosmos.throttle.decrease-factor=0.25",
                        "batcher.batchers.cosmos.throttle.recovery-step=0.1",
                        "batcher.shutdown.timeout=12s")
                .run(context -> {
                    BatcherConfig config = batcher(context, "cosmos").config();
                    assertThat(config.capacityLimiter()).isInstanceOf(ProvisionedCapacity.class);
                    assertThat(config.capacityLimiter().maxCapacity()).isEqualTo(5000);
                    assertThat(config.flushInterval()).isEqualTo(Duration.ofMillis(50));
                    assertThat(config.capacityInterval()).isEqualTo(Duration.ofMillis(200));
                    assertThat(config.auditInterval()).isEqualTo(Duration.ofSeconds(20));
                    assertThat(config.maxOperationTime()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(config.pauseTime()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(config.maxConcurrentBatches()).isEqualTo(3);
                    assertThat(config.emitBatch()).isTrue();
                    assertThat(config.bufferMaxItems()).isEqualTo(500);
                    assertThat(config.fullBehavior()).isEqualTo(FullBehavior.REJECT);
                    assertThat(config.buffer().blockTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(config.throttleDecrease()).isEqualTo(0.25);
                    assertThat(config.throttleRecoveryStep()).isEqualTo(0.1);
                    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(12));
                });
    }

    @Test
    void batcherDefaultsApplyToEveryBatcherAndTheBatchersOwnKeysWin() {
        this.contextRunner.withBean(CosmosWatchers.class)
                .withPropertyValues("batcher.batcher-defaults.capacity=300",
                        "batcher.batcher-defaults.pause-time=2s", "batcher.batchers.cosmos.pause-time=3s")
                .run(context -> {
                    BatcherConfig config = batcher(context, "cosmos").config();
                    assertThat(config.capacityLimiter().maxCapacity()).isEqualTo(300);
                    assertThat(config.pauseTime()).isEqualTo(Duration.ofSeconds(3));
                });
    }

    @Test
    void anOperationAboveTheCapacityIsRefusedAtEnqueue() {
        this.contextRunner.withBean(CosmosWatchers.class)
                .withPropertyValues("batcher.batchers.cosmos.capacity=100")
                .run(context -> {
                    WatcherHandle<Order> upserts = context.getBean("dev.batcher.spring.WatcherHandle#cosmos.upserts",
                            WatcherHandle.class);
                    org.assertj.core.api.Assertions.assertThatExceptionOfType(TooExpensiveException.class)
                            .isThrownBy(() -> upserts.enqueue(101, new Order("big")));
                });
    }

    // ---- watchers and injection ------------------------------------------------------------------------------

    @Test
    void watchersProcessWhatTheirHandlesEnqueueWithTheirOwnLimits() {
        this.contextRunner.withBean(CosmosWatchers.class).withBean(OrderService.class)
                .withPropertyValues("batcher.batchers.cosmos.flush-interval=20ms", "orders.timeout=7s")
                .run(context -> {
                    OrderService service = context.getBean(OrderService.class);
                    assertThat(service.batcher).isSameAs(batcher(context, "cosmos"));
                    assertThat(service.byQualifier).isSameAs(service.batcher);
                    assertThat(service.upserts.name()).isEqualTo("upserts");
                    assertThat(service.upserts.watcher().maxBatchSize()).isEqualTo(2);
                    assertThat(service.upserts.watcher().maxAttempts()).isEqualTo(3);
                    assertThat(service.upserts.watcher().maxOperationTime()).isEqualTo(Duration.ofSeconds(7));
                    assertThat(service.audits.name()).isEqualTo("audit-log");
                    assertThat(service.audits.watcher().maxBatchSize()).isZero();

                    for (int i = 0; i < 5; i++) {
                        service.upserts.enqueue(10, new Order("o" + i));
                    }
                    Operation<Audit> audit = service.audits.enqueue(3, new Audit("a"));
                    CosmosWatchers watchers = context.getBean(CosmosWatchers.class);
                    await().untilAsserted(() -> {
                        assertThat(watchers.orderBatches.stream().mapToInt(List::size).sum()).isEqualTo(5);
                        assertThat(watchers.audits).containsExactly(audit);
                    });
                    assertThat(watchers.orderBatches).allSatisfy(batch -> assertThat(batch).hasSizeLessThanOrEqualTo(2));
                    assertThat(audit.cost()).isEqualTo(3);
                    assertThat(audit.attempt()).isEqualTo(1);
                    await().untilAsserted(() -> assertThat(service.batcher.neededCapacity()).isZero());
                    assertThat(context.getBean(BatcherRegistry.class).watcher("cosmos", "audit-log"))
                            .isSameAs(service.audits);
                });
    }

    @Test
    void theRegistryNamesTheKnownWatchersOfAnUnknownOne() {
        this.contextRunner.withBean(CosmosWatchers.class).run(context -> {
            BatcherRegistry registry = context.getBean(BatcherRegistry.class);
            assertThatIllegalArgumentException().isThrownBy(() -> registry.watcher("cosmos", "upsert"))
                    .withMessageContaining("Batcher 'cosmos' has no watcher named 'upsert'; its watchers: [")
                    // the methods of one bean are found in the order reflection gives, which Java does not fix
                    .withMessageContaining("upserts").withMessageContaining("audit-log");
            assertThatIllegalArgumentException().isThrownBy(() -> registry.watcher("cosmo", "upserts"))
                    .withMessageContaining("No batcher named 'cosmo'; known batchers: [cosmos]");
        });
    }

    @Test
    void operationsEnqueuedDuringStartupAreProcessedOnceTheContextStarted() {
        this.contextRunner.withBean(CosmosWatchers.class).withBean(EagerProducer.class)
                .withPropertyValues("batcher.batchers.cosmos.flush-interval=10ms")
                .run(context -> {
                    CosmosWatchers watchers = context.getBean(CosmosWatchers.class);
                    assertThat(batcher(context, "cosmos").isStarted()).isTrue();
                    await().untilAsserted(() -> assertThat(watchers.orderBatches).singleElement()
                            .isEqualTo(List.of(new Order("early"))));
                });
    }

    @Test
    void shutdownDrainsWhatIsBuffered() {
        this.contextRunner.withBean(CosmosWatchers.class)
                .withPropertyValues("batcher.batchers.cosmos.flush-interval=1h")
                .run(context -> {
                    Batcher cosmos = batcher(context, "cosmos");
                    WatcherHandle<Order> upserts = context.getBean(BatcherRegistry.class).watcher("cosmos", "upserts");
                    upserts.enqueue(1, new Order("a"));
                    context.getBean(BatcherLifecycle.class).stop();
                    assertThat(context.getBean(CosmosWatchers.class).orderBatches).singleElement()
                            .isEqualTo(List.of(new Order("a")));
                    assertThat(cosmos.isClosed()).isTrue();
                    assertThat(cosmos.stats().processed()).isEqualTo(1);
                });
    }

    @Test
    void aProvisionedCapacityPacesTheBatches() {
        this.contextRunner.withBean(CosmosWatchers.class)
                .withPropertyValues("batcher.batchers.cosmos.capacity=200", "batcher.batchers.cosmos.flush-interval=20ms")
                .run(context -> {
                    WatcherHandle<Order> upserts = context.getBean(BatcherRegistry.class).watcher("cosmos", "upserts");
                    long start = System.nanoTime();
                    for (int i = 0; i < 20; i++) {
                        upserts.enqueue(20, new Order("o" + i));
                    }
                    CosmosWatchers watchers = context.getBean(CosmosWatchers.class);
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                            watchers.orderBatches.stream().mapToInt(List::size).sum()).isEqualTo(20));
                    // 400 units at 200 per second: at least ~1.9 s after the first interval's worth.
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1500));
                    assertThat(batcher(context, "cosmos").stats().grantedCapacity()).isEqualTo(200);
                });
    }

    @Test
    void costBatchersBuildsTheApplicationsOwnBatchersFromTheProperties() {
        this.contextRunner.withUserConfiguration(OwnBatcherConfiguration.class)
                .withPropertyValues("batcher.batchers.search.capacity=1000",
                        "batcher.batchers.search.flush-interval=10ms")
                .run(context -> {
                    Batcher search = batcher(context, "search");
                    assertThat(search).isSameAs(context.getBean("search"));
                    assertThat(search.config().capacityLimiter().maxCapacity()).isEqualTo(1000);
                    assertThat(search.config().maxConcurrentBatches()).isEqualTo(2);
                    @SuppressWarnings("unchecked")
                    WatcherHandle<String> queries = context.getBean(WatcherHandle.class);
                    queries.enqueue(5, "q");
                    OwnBatcherConfiguration own = context.getBean(OwnBatcherConfiguration.class);
                    await().untilAsserted(() -> assertThat(own.received).containsExactly("q"));
                });
    }

    // ---- startup failures ------------------------------------------------------------------------------------

    @Test
    void configuredBatcherWithoutWatcherFailsStartupWithTheClosestName() {
        this.contextRunner.withBean(CosmosWatchers.class)
                .withPropertyValues("batcher.batchers.cosmso.capacity=10")
                .run(context -> assertStartupFailure(context, "Batcher 'cosmso' is configured "
                        + "(batcher.batchers.cosmso.*) but no bean has a @BatchWatcher(\"cosmso\") method",
                        "Did you mean 'cosmos'?", "Add a watcher, such as '@BatchWatcher(\"cosmso\") void "
                                + "process(List<YourPayload> payloads)'"));
    }

    @Test
    void watcherWithAWrongSignatureFailsStartupNamingBeanMethodAndFix() {
        this.contextRunner.withBean("twoParameters", TwoParameterWatcher.class)
                .run(context -> assertStartupFailure(context, "Invalid @BatchWatcher method "
                        + "'CostBatcherAutoConfigurationTests.TwoParameterWatcher.upserts(List<TestWatchers.Order>, int)' on bean 'twoParameters': a watcher method "
                        + "takes exactly one parameter", "Declare it as 'upserts(List<YourPayload> payloads)'"));
    }

    @Test
    void invalidValueFailsStartupNamingThePropertyValueAndOrigin() {
        this.contextRunner.withBean(CosmosWatchers.class)
                .withPropertyValues("batcher.batchers.cosmos.throttle.decrease-factor=1.5")
                .run(context -> {
                    InvalidBatcherPropertyException failure = assertStartupFailure(context,
                            "batcher.batchers.cosmos.throttle.decrease-factor=1.5: must be between 0 and 1",
                            "Update batcher.batchers.cosmos.throttle.decrease-factor in your configuration");
                    assertThat(failure.getDescription()).contains("Invalid option of batcher 'cosmos':",
                            "Property: batcher.batchers.cosmos.throttle.decrease-factor", "Value: \"1.5\"",
                            "Origin: \"batcher.batchers.cosmos.throttle.decrease-factor\" from property source");
                    assertThat(failure.getBatcherName()).isEqualTo("cosmos");
                });
    }

    @Test
    void aZeroCapacityFailsStartup() {
        this.contextRunner.withBean(CosmosWatchers.class)
                .withPropertyValues("batcher.batchers.cosmos.capacity=0")
                .run(context -> assertStartupFailure(context, "batcher.batchers.cosmos.capacity=0: must be at least 1 "
                        + "cost unit per second, or unset for no capacity limiter"));
    }

    @Test
    void anUnknownKeyUnderABatcherFailsStartup() {
        this.contextRunner.withBean(CosmosWatchers.class)
                .withPropertyValues("batcher.batchers.cosmos.flush-intervall=10ms")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause()
                            .isInstanceOf(UnboundConfigurationPropertiesException.class);
                    assertThat(BatcherPropertyNames.suggest(org.springframework.boot.context.properties.source
                            .ConfigurationPropertyName.of("batcher.batchers.cosmos.flush-intervall")))
                            .isEqualTo("batcher.batchers.cosmos.flush-interval");
                });
    }

    @Test
    void invalidAttributesFailStartupNamingTheMethod() {
        this.contextRunner.withBean("badTime", BadTimeWatcher.class)
                .run(context -> assertStartupFailure(context, "Invalid @BatchWatcher attribute maxOperationTime=\"10 s\" "
                        + "on method 'CostBatcherAutoConfigurationTests.BadTimeWatcher.upserts(List<TestWatchers.Order>)' "
                        + "of bean 'badTime': it is not a duration"));
        this.contextRunner.withBean("badSize", BadSizeWatcher.class)
                .run(context -> assertStartupFailure(context, "Invalid @BatchWatcher attribute maxBatchSize=\"-1\"",
                        "of bean 'badSize': must be at least 1, or 0 for no limit", "Fix maxBatchSize of @BatchWatcher"));
    }

    @Test
    void twoWatchersWithOneNameFailStartup() {
        this.contextRunner.withBean(CosmosWatchers.class).withBean(SecondUpserts.class)
                .run(context -> assertStartupFailure(context, "Two @BatchWatcher methods of batcher 'cosmos' are "
                        + "named 'upserts'", "name = \"upserts-2\""));
    }

    @Test
    void aBatcherAndADispatcherWithOneNameFailStartup() {
        this.contextRunner.withBean(CosmosWatchers.class).withBean(CosmosSink.class)
                .run(context -> assertStartupFailure(context, "are named 'cosmos'", "Give each a distinct name."));
    }

    @Test
    void anApplicationBatcherWithPropertiesFailsStartup() {
        this.contextRunner.withBean("cosmos", Batcher.class, () -> Batcher.create("cosmos", BatcherConfig.defaults()))
                .withPropertyValues("batcher.batchers.cosmos.capacity=10")
                .run(context -> assertStartupFailure(context, "Batcher bean 'cosmos' (batcher 'cosmos') was created "
                        + "with Batcher.create", "Build it with the CostBatchers bean"));
    }

    @Test
    void anApplicationBatcherIsRegisteredAndStarted() {
        this.contextRunner.withBean("cosmos", Batcher.class, () -> Batcher.create("cosmos", BatcherConfig.defaults()))
                .run(context -> {
                    assertThat(batcher(context, "cosmos")).isSameAs(context.getBean("cosmos"));
                    assertThat(batcher(context, "cosmos").isStarted()).isTrue();
                });
    }

    // ---- fixtures ------------------------------------------------------------------------------------------------

    static class OrderService {

        final Batcher batcher;

        final Batcher byQualifier;

        final WatcherHandle<Order> upserts;

        final WatcherHandle<Audit> audits;

        OrderService(Batcher batcher, @Qualifier("cosmos") Batcher byQualifier, WatcherHandle<Order> upserts,
                @Qualifier("audit-log") WatcherHandle<Audit> audits) {
            this.batcher = batcher;
            this.byQualifier = byQualifier;
            this.upserts = upserts;
            this.audits = audits;
        }
    }

    static class EagerProducer {

        EagerProducer(WatcherHandle<Order> upserts) {
            upserts.enqueue(1, new Order("early"));
        }
    }

    static class TwoParameterWatcher {

        @BatchWatcher("cosmos")
        void upserts(List<Order> orders, int count) {
        }
    }

    static class BadTimeWatcher {

        @BatchWatcher(batcher = "cosmos", maxOperationTime = "10 s")
        void upserts(List<Order> orders) {
        }
    }

    static class BadSizeWatcher {

        @BatchWatcher(batcher = "cosmos", maxBatchSize = -1)
        void upserts(List<Order> orders) {
        }
    }

    static class SecondUpserts {

        @BatchWatcher("cosmos")
        void upserts(List<Order> orders) {
        }
    }

    static class CosmosSink {

        @BatchSink("cosmos")
        void send(List<Order> orders) {
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBatcherConfiguration {

        final List<String> received = new CopyOnWriteArrayList<>();

        @Bean
        Batcher search(CostBatchers batchers) {
            return batchers.build("search", builder -> builder.maxConcurrentBatches(2));
        }

        @Bean
        WatcherHandle<String> queries(CostBatchers batchers, Batcher search) {
            return batchers.watcher(search, "queries", Watcher.<String>of(operations ->
                    operations.forEach(operation -> this.received.add(operation.payload()))));
        }
    }

}
