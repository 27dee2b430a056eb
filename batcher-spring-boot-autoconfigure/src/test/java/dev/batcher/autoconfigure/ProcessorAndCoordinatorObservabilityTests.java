package dev.batcher.autoconfigure;

import static dev.batcher.autoconfigure.CoordinatorAutoConfigurationTests.coordinator;
import static dev.batcher.autoconfigure.ResourceProcessorAutoConfigurationTests.processor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

import dev.batcher.autoconfigure.BatchersEndpoint.BatcherDescriptor;
import dev.batcher.autoconfigure.TestEngines.Account;
import dev.batcher.autoconfigure.TestEngines.AccountStore;
import dev.batcher.autoconfigure.TestEngines.AuditLog;
import dev.batcher.autoconfigure.TestEngines.LedgerStoreConfiguration;
import dev.batcher.coordinate.Coordinator;
import dev.batcher.resource.ResourceProcessor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Resource processors and coordinators in the {@code batchers} endpoint, health and Micrometer, and the processor's
 * pause until the application has started.
 */
class ProcessorAndCoordinatorObservabilityTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, BatcherAutoConfiguration.class,
                    ResourceProcessorAutoConfiguration.class, CoordinatorAutoConfiguration.class,
                    BatcherMetricsAutoConfiguration.class, BatchersEndpointAutoConfiguration.class,
                    BatchersHealthAutoConfiguration.class))
            .withBean(SimpleMeterRegistry.class)
            .withUserConfiguration(LedgerStoreConfiguration.class)
            .withBean(AuditLog.class)
            .withPropertyValues("management.endpoints.web.exposure.include=batchers",
                    "batcher.processors.ledger.min-duration=20ms", "batcher.processors.ledger.max-duration=5s");

    @Test
    void processorsAndCoordinatorsTheApplicationCreatedItselfAreShownAndDrained() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, BatcherAutoConfiguration.class,
                        ResourceProcessorAutoConfiguration.class, CoordinatorAutoConfiguration.class,
                        BatcherMetricsAutoConfiguration.class, BatchersEndpointAutoConfiguration.class))
                .withBean(SimpleMeterRegistry.class)
                .withPropertyValues("management.endpoints.web.exposure.include=batchers")
                .withBean("ownProcessor", dev.batcher.resource.ResourceProcessor.class,
                        () -> dev.batcher.resource.ResourceProcessor.create("own-processor",
                                dev.batcher.resource.ResourceProcessorConfig.builder()
                                        .minDuration(java.time.Duration.ofMillis(10)).build(),
                                new dev.batcher.resource.ResourceStore<String, int[]>() {
                                    @Override
                                    public int[] load(String key, java.time.Instant deadline) {
                                        return new int[1];
                                    }

                                    @Override
                                    public void save(String key, int[] resource, java.time.Instant deadline) {
                                    }
                                }))
                .withBean("ownCoordinator", Coordinator.class, () -> Coordinator.create("own-coordinator",
                        dev.batcher.coordinate.CoordinatorConfig.defaults(), java.util.ArrayList::new,
                        (records, coach) -> records.size()))
                .run(context -> {
                    BatchersEndpoint endpoint = context.getBean(BatchersEndpoint.class);
                    assertThat(endpoint.batchers().batchers()).extracting(BatcherDescriptor::name,
                            BatcherDescriptor::kind).containsExactlyInAnyOrder(
                                    org.assertj.core.groups.Tuple.tuple("own-processor", "processor"),
                                    org.assertj.core.groups.Tuple.tuple("own-coordinator", "coordinator"));
                    assertThat(context.getBean(dev.batcher.spring.BatcherRegistry.class)
                            .find("own-coordinator", Coordinator.class)).isPresent();
                    assertThat(context.getBean(io.micrometer.core.instrument.MeterRegistry.class)
                            .find("batcher.coordinator.contributions").tag("name", "own-coordinator").meter())
                            .isNotNull();
                    dev.batcher.resource.ResourceProcessor<?, ?> own = context.getBean("ownProcessor",
                            dev.batcher.resource.ResourceProcessor.class);
                    context.close();
                    assertThat(own.isClosed()).isTrue();
                });
    }

    @Test
    void endpointListsProcessorsAndCoordinatorsWithTheirDetails() {
        this.contextRunner.run(context -> {
            processor(context, "ledger").run("a", account -> account.balance += 1).join();
            processor(context, "ledger").run("a", account -> account.balance += 1).join();
            Coordinator<List<String>, Integer> audit = coordinator(context, "audit");
            audit.contribute((records, round) -> records.add("x"));
            BatchersEndpoint endpoint = context.getBean(BatchersEndpoint.class);
            assertThat(endpoint.batchers().batchers()).extracting(BatcherDescriptor::name, BatcherDescriptor::kind)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("ledger", "processor"),
                            org.assertj.core.groups.Tuple.tuple("audit", "coordinator"));
            BatcherDescriptor ledger = endpoint.batcher("ledger");
            assertThat(ledger.totals().submitted()).isEqualTo(2);
            assertThat(ledger.totals().sent()).isEqualTo(2);
            assertThat(ledger.totals().sentBatches()).isEqualTo(2);
            assertThat(ledger.paused()).isFalse();
            assertThat(ledger.details()).containsEntry("store", "bean 'ledgerStore'")
                    .containsEntry("minDuration", "20ms").containsEntry("maxDuration", "5s")
                    .containsEntry("maxConcurrentBatches", 8).containsEntry("operationErrors", 0L);
            await().untilAsserted(() -> assertThat(endpoint.batcher("ledger").details()).containsKey("lastBatch"));
            BatcherDescriptor coordinator = endpoint.batcher("audit");
            assertThat(coordinator.totals().submitted()).isEqualTo(1);
            assertThat(coordinator.totals().sentBatches()).isEqualTo(1);
            assertThat(coordinator.details()).containsEntry("coaches", 1).containsEntry("commits", 1L)
                    .containsEntry("contributorsPerCommit", 1.0)
                    .containsEntry("commit", "@BatchCommit method 'TestEngines.AuditLog.insert(List<String>)' on "
                            + "bean 'testEngines.AuditLog'");
            endpoint.control("ledger", "pause");
            assertThat(endpoint.batcher("ledger").paused()).isTrue();
            endpoint.control("ledger", "resume");
            assertThat(endpoint.batcher("ledger").paused()).isFalse();
        });
    }

    @Test
    void healthIsDownWhileBatchesOrCommitsKeepFailing() {
        this.contextRunner.withPropertyValues("batcher.health.max-consecutive-failures=2").run(context -> {
            AccountStore store = context.getBean("ledgerStore", AccountStore.class);
            store.failSaves = true;
            ResourceProcessor<String, Account> ledger = processor(context, "ledger");
            for (String key : List.of("a", "b")) {
                assertThatException().isThrownBy(() -> ledger.run(key, account -> account.balance += 1).join());
            }
            await().untilAsserted(() -> assertThat(health(context, "ledger").getStatus()).isEqualTo(Status.DOWN));
            assertThat(health(context, "ledger").getDetails().get("problem")).asString()
                    .contains("the last 2 batches failed", "batcher.health.max-consecutive-failures=2", "disk full");
            AuditLog log = context.getBean(AuditLog.class);
            log.fail = true;
            Coordinator<List<String>, Integer> audit = coordinator(context, "audit");
            assertThat(health(context, "audit").getStatus()).isEqualTo(Status.UP);
            for (int i = 0; i < 2; i++) {
                assertThatException().isThrownBy(() -> audit.contribute((records, round) -> records.add("x")));
            }
            await().untilAsserted(() -> assertThat(health(context, "audit").getStatus()).isEqualTo(Status.DOWN));
            assertThat(health(context, "audit").getDetails().get("problem")).asString()
                    .contains("the last 2 commits failed", "audit table locked");
            store.failSaves = false;
            log.fail = false;
            ledger.run("a", account -> account.balance += 1).join();
            audit.contribute((records, round) -> records.add("y"));
            await().untilAsserted(() -> {
                assertThat(health(context, "ledger").getStatus()).isEqualTo(Status.UP);
                assertThat(health(context, "audit").getStatus()).isEqualTo(Status.UP);
            });
        });
    }

    @Test
    void processorMetersRecordBatchesLoadsSavesAndErrors() {
        this.contextRunner.run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            AccountStore store = context.getBean("ledgerStore", AccountStore.class);
            ResourceProcessor<String, Account> ledger = processor(context, "ledger");
            ledger.run("a", account -> account.balance += 1).join();
            assertThatException().isThrownBy(() -> ledger.run("a", account -> {
                throw new IllegalArgumentException("overdraft");
            }).join());
            store.failSaves = true;
            assertThatException().isThrownBy(() -> ledger.run("b", account -> account.balance += 1).join());
            await().untilAsserted(() -> {
                assertThat(meters.get("batcher.processor.batch").tags("name", "ledger", "kind", "processor",
                        "outcome", "success").timer().count()).isEqualTo(2);
                assertThat(meters.get("batcher.processor.batch").tags("outcome", "failure").timer().count())
                        .isEqualTo(1);
            });
            assertThat(meters.get("batcher.processor.batch.operations").tags("name", "ledger").summary().count())
                    .isEqualTo(3);
            assertThat(meters.get("batcher.processor.load").tags("name", "ledger").timer().count()).isEqualTo(3);
            assertThat(meters.get("batcher.processor.save").tags("name", "ledger").timer().count()).isEqualTo(3);
            assertThat(meters.get("batcher.processor.errors").tags("phase", "save").counter().count()).isEqualTo(1);
            assertThat(meters.get("batcher.processor.errors").tags("phase", "load").counter().count()).isZero();
            assertThat(meters.get("batcher.processor.errors").tags("phase", "operation").functionCounter().count())
                    .isEqualTo(1);
            assertThat(meters.get("batcher.processor.operations.submitted").functionCounter().count()).isEqualTo(3);
            assertThat(meters.get("batcher.processor.operations.succeeded").functionCounter().count()).isEqualTo(1);
            assertThat(meters.get("batcher.processor.operations.failed").functionCounter().count()).isEqualTo(2);
            context.close();
            assertThat(meters.find("batcher.processor.batch").meters()).isEmpty();
        });
    }

    @Test
    void coordinatorMetersRecordContributorsCommitTimesAndFailures() {
        this.contextRunner.run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            Coordinator<List<String>, Integer> audit = coordinator(context, "audit");
            audit.contribute((records, round) -> records.add("a"));
            assertThatException().isThrownBy(() -> audit.contribute((records, round) -> round.cancel()));
            assertThatException().isThrownBy(() -> audit.contribute((records, round) -> {
                throw new IllegalStateException("bad record");
            }));
            context.getBean(AuditLog.class).fail = true;
            assertThatException().isThrownBy(() -> audit.contribute((records, round) -> records.add("b")));
            await().untilAsserted(() -> {
                assertThat(meters.get("batcher.coordinator.commit").tags("name", "audit", "kind", "coordinator",
                        "outcome", "committed").timer().count()).isEqualTo(1);
                assertThat(meters.get("batcher.coordinator.commit").tags("outcome", "failed").timer().count())
                        .isEqualTo(1);
            });
            assertThat(meters.get("batcher.coordinator.contributors").summary().count()).isEqualTo(2);
            assertThat(meters.get("batcher.coordinator.contributors").summary().totalAmount()).isEqualTo(2);
            assertThat(meters.get("batcher.coordinator.contributions").functionCounter().count()).isEqualTo(4);
            assertThat(meters.get("batcher.coordinator.batches.cancelled").functionCounter().count()).isEqualTo(1);
            assertThat(meters.get("batcher.coordinator.batches.aborted").functionCounter().count()).isEqualTo(1);
            assertThat(meters.get("batcher.coordinator.commits.failed").functionCounter().count()).isEqualTo(1);
        });
    }

    @Test
    void processorRunsNoBatchBeforeTheApplicationHasStarted() {
        this.contextRunner.withBean(EarlyDepositor.class).run(context -> {
            EarlyDepositor early = context.getBean(EarlyDepositor.class);
            assertThat(early.loadsAtCreation).isZero();
            assertThat(early.deposit.join()).isEqualTo(9L);
        });
    }

    /** Runs an operation while the context starts: its batch waits until the application has started. */
    static class EarlyDepositor {

        final java.util.concurrent.CompletableFuture<Long> deposit;

        final int loadsAtCreation;

        EarlyDepositor(ResourceProcessor<String, Account> ledger,
                org.springframework.beans.factory.BeanFactory beanFactory) {
            this.deposit = ledger.run("early", account -> account.balance += 9);
            AccountStore store = beanFactory.getBean("ledgerStore", AccountStore.class);
            // Ten times min-duration: a running processor would have loaded by then.
            await().during(java.time.Duration.ofMillis(200)).atMost(java.time.Duration.ofSeconds(2))
                    .until(() -> store.loads.get() == 0);
            this.loadsAtCreation = store.loads.get();
        }
    }

    private static Health health(AssertableApplicationContext context, String name) {
        assertThat(context).hasNotFailed();
        CompositeHealthContributor batchers = context.getBean("batchersHealthContributor",
                CompositeHealthContributor.class);
        return ((HealthIndicator) batchers.getContributor(name)).health();
    }
}
