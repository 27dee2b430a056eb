package dev.batcher.autoconfigure;

import static dev.batcher.autoconfigure.BatcherAutoConfigurationTests.assertStartupFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.batcher.FullBehavior;
import dev.batcher.autoconfigure.TestEngines.Account;
import dev.batcher.autoconfigure.TestEngines.AccountStore;
import dev.batcher.autoconfigure.TestEngines.LedgerStoreConfiguration;
import dev.batcher.autoconfigure.TestEngines.NamedStoreConfiguration;
import dev.batcher.autoconfigure.TestEngines.OtherAccountStore;
import dev.batcher.resource.ResourceProcessor;
import dev.batcher.resource.ResourceProcessorConfig;
import dev.batcher.resource.ResourceStore;
import dev.batcher.spring.BatcherRegistry;
import dev.batcher.spring.ProcessorStore;
import dev.batcher.spring.ResourceProcessors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link ResourceProcessorAutoConfiguration}: {@code batcher.processors.<name>.*} and its defaults, the store beans,
 * the {@code ResourceProcessor<K, R>} beans by type and qualifier, {@link ResourceProcessors}, startup failures and the
 * drain on close.
 */
class ResourceProcessorAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BatcherAutoConfiguration.class,
                    ResourceProcessorAutoConfiguration.class));

    @Test
    void storeWithoutPropertiesGetsTheEngineDefaults() {
        this.contextRunner.withUserConfiguration(LedgerStoreConfiguration.class).run(context -> {
            ResourceProcessorConfig config = processor(context, "ledger").config();
            ResourceProcessorConfig engine = ResourceProcessorConfig.defaults();
            assertThat(config.minDuration()).isEqualTo(engine.minDuration());
            assertThat(config.maxDuration()).isEqualTo(engine.maxDuration());
            assertThat(config.maxConcurrentBatches()).isEqualTo(engine.maxConcurrentBatches());
            assertThat(config.buffer()).isEqualTo(engine.buffer());
            assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(25));
        });
    }

    @Test
    void thePropertiesDocumentTheEngineDefaults() {
        ResourceProcessorProperties documented = new ResourceProcessorProperties();
        ResourceProcessorConfig engine = ResourceProcessorConfig.defaults();
        assertThat(documented.getMinDuration()).isEqualTo(engine.minDuration());
        assertThat(documented.getMaxDuration()).isNull();
        assertThat(documented.getMaxConcurrentBatches()).isEqualTo(engine.maxConcurrentBatches());
        assertThat(documented.getBuffer().getMaxItems()).isEqualTo(engine.buffer().maxItems());
        assertThat(documented.getBuffer().getFullBehavior()).isEqualTo(engine.buffer().fullBehavior());
        assertThat(documented.getBuffer().getBlockTimeout()).isEqualTo(engine.buffer().blockTimeout());
    }

    @Test
    void everyPropertyBindsAndOverridesTheDefaults() {
        this.contextRunner.withUserConfiguration(NamedStoreConfiguration.class)
                .withPropertyValues("batcher.processor-defaults.max-concurrent-batches=5",
                        "batcher.processor-defaults.min-duration=30ms",
                        "batcher.processors.accounts.min-duration=20ms",
                        "batcher.processors.accounts.max-duration=300ms",
                        "batcher.processors.accounts.max-concurrent-batches=3",
                        "batcher.processors.accounts.buffer.max-items=50",
                        "batcher.processors.accounts.buffer.full-behavior=reject",
                        "batcher.processors.accounts.buffer.block-timeout=1s",
                        "batcher.processors.accounts.drain-timeout=2s")
                .run(context -> {
                    ResourceProcessorConfig config = processor(context, "accounts").config();
                    assertThat(config.minDuration()).isEqualTo(Duration.ofMillis(20));
                    assertThat(config.maxDuration()).isEqualTo(Duration.ofMillis(300));
                    assertThat(config.maxConcurrentBatches()).isEqualTo(3);
                    assertThat(config.buffer().maxItems()).isEqualTo(50);
                    assertThat(config.buffer().fullBehavior()).isEqualTo(FullBehavior.REJECT);
                    assertThat(config.buffer().blockTimeout()).isEqualTo(Duration.ofSeconds(1));
                    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(2));
                });
    }

    @Test
    void processorDefaultsApplyToEveryProcessor() {
        this.contextRunner.withUserConfiguration(LedgerStoreConfiguration.class)
                .withPropertyValues("batcher.processor-defaults.min-duration=30ms")
                .run(context -> {
                    ResourceProcessorConfig config = processor(context, "ledger").config();
                    assertThat(config.minDuration()).isEqualTo(Duration.ofMillis(30));
                    assertThat(config.maxDuration()).isEqualTo(Duration.ofMillis(60));
                });
    }

    @Test
    void processorIsInjectableByGenericTypeAndQualifierAndBatchesConcurrentCalls() {
        this.contextRunner.withUserConfiguration(LedgerStoreConfiguration.class, Tellers.class)
                .withPropertyValues("batcher.processors.ledger.min-duration=50ms",
                        "batcher.processors.ledger.max-duration=5s")
                .run(context -> {
                    Tellers tellers = context.getBean(Tellers.class);
                    assertThat(tellers.byType).isSameAs(tellers.byName).isSameAs(processor(context, "ledger"));
                    List<CompletableFuture<Long>> deposits = new ArrayList<>();
                    IntStream.range(0, 100).parallel().forEach(i -> {
                        CompletableFuture<Long> deposit = tellers.byType.run("acc-1", account -> account.balance += 10);
                        synchronized (deposits) {
                            deposits.add(deposit);
                        }
                    });
                    CompletableFuture.allOf(deposits.toArray(CompletableFuture[]::new)).join();
                    AccountStore store = context.getBean("ledgerStore", AccountStore.class);
                    assertThat(store.balances).containsEntry("acc-1", 1000L);
                    assertThat(store.loads.get()).isEqualTo(store.saves.get()).isLessThan(100);
                });
    }

    @Test
    void storeNamedLikeAConfiguredProcessorNeedsNoAnnotation() {
        this.contextRunner.withUserConfiguration(NamedStoreConfiguration.class)
                .withPropertyValues("batcher.processors.accounts.min-duration=20ms",
                        "batcher.processors.accounts.max-duration=5s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    ResourceProcessor<String, Account> accounts = processor(context, "accounts");
                    assertThat(accounts.run("a", account -> account.balance += 5).join()).isEqualTo(5L);
                    assertThat(context.getBean(BatcherRegistry.class).find("accounts", ResourceProcessor.class))
                            .containsSame(accounts);
                });
    }

    @Test
    void configuredProcessorWithoutStoreFailsStartupNamingThePropertyAndTheFix() {
        this.contextRunner.withUserConfiguration(LedgerStoreConfiguration.class)
                .withPropertyValues("batcher.processors.accounts.min-duration=50ms")
                .run(context -> assertStartupFailure(context,
                        "Processor 'accounts' is configured (batcher.processors.accounts.*) but no ResourceStore bean "
                                + "is named 'accounts' or annotated with @ProcessorStore(\"accounts\")",
                        "ResourceStore beans: [ledgerStore]",
                        "'@Bean @ProcessorStore(\"accounts\") ResourceStore<YourKey, YourResource> accountsStore()",
                        "build the processor with the ResourceProcessors bean"));
    }

    @Test
    void twoStoresForOneProcessorFailStartupNamingBoth() {
        this.contextRunner.withUserConfiguration(NamedStoreConfiguration.class)
                .withBean(OtherAccountStore.class)
                .withPropertyValues("batcher.processors.accounts.min-duration=50ms")
                .run(context -> assertStartupFailure(context, "Processor 'accounts' has 2 ResourceStore beans:",
                        "(@ProcessorStore(\"accounts\"))", "'accounts' (named like the processor)",
                        "exactly one store"));
    }

    @Test
    void annotationOnABeanThatIsNoStoreFailsStartup() {
        this.contextRunner.withBean("notAStore", NotAStore.class)
                .run(context -> assertStartupFailure(context, "Bean 'notAStore' is annotated with "
                        + "@ProcessorStore(\"accounts\") but is not a ResourceStore", "Make it implement "
                        + "ResourceStore<YourKey, YourResource>"));
    }

    @Test
    void invalidPropertyFailsStartupNamingPropertyValueAndFix() {
        this.contextRunner.withUserConfiguration(NamedStoreConfiguration.class)
                .withPropertyValues("batcher.processors.accounts.min-duration=100ms",
                        "batcher.processors.accounts.max-duration=50ms")
                .run(context -> {
                    InvalidBatcherPropertyException failure = assertStartupFailure(context,
                            "batcher.processors.accounts.max-duration=50ms: must be longer than min-duration=100ms",
                            "Update batcher.processors.accounts.max-duration in your configuration");
                    assertThat(failure.getBatcherName()).isEqualTo("accounts");
                    assertThat(failure.getDescription()).contains("Invalid option of processor 'accounts':");
                });
        this.contextRunner.withUserConfiguration(NamedStoreConfiguration.class)
                .withPropertyValues("batcher.processors.accounts.buffer.full-behavior=drop-oldest")
                .run(context -> assertStartupFailure(context,
                        "batcher.processors.accounts.buffer.full-behavior=drop-oldest: is not supported by a resource "
                                + "processor"));
    }

    @Test
    void builderAppliesThePropertiesOfAProcessorBuiltInCode() {
        this.contextRunner.withUserConfiguration(BuiltInCode.class)
                .withPropertyValues("batcher.processors.accounts.min-duration=40ms",
                        "batcher.processors.accounts.max-duration=5s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    ResourceProcessor<String, Account> accounts = processor(context, "accounts");
                    assertThat(accounts.config().minDuration()).isEqualTo(Duration.ofMillis(40));
                    assertThat(accounts.config().maxConcurrentBatches()).isEqualTo(2);
                    assertThat(accounts.run("a", account -> account.balance += 7).join()).isEqualTo(7L);
                });
    }

    @Test
    void closingTheContextSavesThePendingBatchesEarly() {
        this.contextRunner.withUserConfiguration(LedgerStoreConfiguration.class)
                .withPropertyValues("batcher.processors.ledger.min-duration=1h", "batcher.shutdown.timeout=5s")
                .run(context -> {
                    ResourceProcessor<String, Account> ledger = processor(context, "ledger");
                    AccountStore store = context.getBean("ledgerStore", AccountStore.class);
                    CompletableFuture<Long> deposit = ledger.run("a", account -> account.balance += 3);
                    assertThat(deposit).isNotDone();
                    context.close();
                    assertThat(deposit).isCompletedWithValue(3L);
                    assertThat(store.balances).containsEntry("a", 3L);
                    assertThat(ledger.isDrained()).isTrue();
                });
    }

    @SuppressWarnings("unchecked")
    static ResourceProcessor<String, Account> processor(AssertableApplicationContext context, String name) {
        return (ResourceProcessor<String, Account>) context.getBean(BatcherRegistry.class)
                .find(name, ResourceProcessor.class).orElseThrow();
    }

    /** Injects the processor of {@code ledger} by type and by qualifier. */
    static class Tellers {

        final ResourceProcessor<String, Account> byType;

        final ResourceProcessor<String, Account> byName;

        Tellers(ResourceProcessor<String, Account> byType,
                @Qualifier("ledger") ResourceProcessor<String, Account> byName) {
            this.byType = byType;
            this.byName = byName;
        }
    }

    @ProcessorStore("accounts")
    static class NotAStore {
    }

    @Configuration(proxyBeanMethods = false)
    static class BuiltInCode {

        @Bean
        ResourceProcessor<String, Account> accounts(ResourceProcessors processors) {
            ResourceStore<String, Account> store = new AccountStore();
            return processors.build("accounts", store, builder -> builder.maxConcurrentBatches(2));
        }
    }
}
