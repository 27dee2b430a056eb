package dev.batcher.autoconfigure;

import static dev.batcher.autoconfigure.BatcherAutoConfigurationTests.assertStartupFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.batcher.autoconfigure.TestEngines.AuditLog;
import dev.batcher.coordinate.Coordinator;
import dev.batcher.coordinate.CoordinatorConfig;
import dev.batcher.spring.BatchCommit;
import dev.batcher.spring.BatcherRegistry;
import dev.batcher.spring.Coordinators;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link CoordinatorAutoConfiguration}: {@code batcher.coordinators.<name>.*} and its defaults, {@code @BatchCommit}
 * methods and their fresh states, the {@code Coordinator<S, R>} beans by type and qualifier, {@link Coordinators},
 * startup failures and the drain on close.
 */
class CoordinatorAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BatcherAutoConfiguration.class,
                    CoordinatorAutoConfiguration.class));

    @Test
    void commitWithoutPropertiesGetsTheEngineDefaults() {
        this.contextRunner.withBean(AuditLog.class).run(context -> {
            CoordinatorConfig config = coordinator(context, "audit").config();
            assertThat(config.coaches()).isEqualTo(CoordinatorConfig.DEFAULT_COACHES)
                    .isEqualTo(new CoordinatorProperties().getCoaches());
            assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(25));
        });
    }

    @Test
    void propertiesAndDefaultsBind() {
        this.contextRunner.withBean(AuditLog.class)
                .withPropertyValues("batcher.coordinator-defaults.coaches=2",
                        "batcher.coordinator-defaults.drain-timeout=7s", "batcher.coordinators.audit.coaches=4")
                .run(context -> {
                    CoordinatorConfig config = coordinator(context, "audit").config();
                    assertThat(config.coaches()).isEqualTo(4);
                    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(7));
                });
    }

    @Test
    void coordinatorIsInjectableByGenericTypeAndQualifierAndEveryContributorGetsTheCommitsResult() {
        this.contextRunner.withBean(AuditLog.class).withBean(Auditors.class).run(context -> {
            Auditors auditors = context.getBean(Auditors.class);
            assertThat(auditors.byType).isSameAs(auditors.byName).isSameAs(coordinator(context, "audit"));
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            IntStream.range(0, 200).forEach(i -> results.add(CompletableFuture.supplyAsync(() ->
                    auditors.byType.contribute((records, round) -> records.add("r" + i)))));
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).join();
            AuditLog log = context.getBean(AuditLog.class);
            assertThat(log.rows()).hasSize(200).doesNotHaveDuplicates();
            assertThat(results).allSatisfy(result -> assertThat(result.join()).isPositive());
            // Each contributor got the size of the batch it was committed in.
            assertThat(results.stream().mapToInt(CompletableFuture::join).sum())
                    .isEqualTo(log.commits.stream().mapToInt(commit -> commit.size() * commit.size()).sum());
        });
    }

    @Test
    void stateClassWithANoArgConstructorAndTheCoachAreSupported() {
        this.contextRunner.withBean(TallyCommit.class).withPropertyValues("batcher.coordinators.tally.coaches=2")
                .run(context -> {
                    Coordinator<Tally, String> tally = context.getBean(TallyUser.class).tally;
                    assertThat(tally.contribute((state, round) -> state.count += 5)).matches("5 on coach [01]");
                });
    }

    @Test
    void mapAndSetStatesAreMadeFresh() {
        this.contextRunner.withBean(MapAndSetCommits.class).run(context -> {
            Coordinator<Map<String, Integer>, Integer> map = coordinator(context, "map");
            Coordinator<java.util.Set<String>, Integer> set = coordinator(context, "set");
            assertThat(map.contribute((state, round) -> state.put("a", 1))).isEqualTo(1);
            assertThat(set.contribute((state, round) -> state.add("a"))).isEqualTo(1);
            assertThat(set.contribute((state, round) -> state.add("b"))).isEqualTo(1);
        });
    }

    @Test
    void stateTheStarterCannotMakeFailsStartupPointingAtTheBuilder() {
        this.contextRunner.withBean("records", NoFreshState.class)
                .run(context -> assertStartupFailure(context, "Invalid @BatchCommit method "
                        + "'CoordinatorAutoConfigurationTests.NoFreshState.commit(CoordinatorAutoConfigurationTests"
                        + ".Sized)' on bean 'records': its state type CoordinatorAutoConfigurationTests.Sized is "
                        + "neither a List, Set or Map interface nor a class with a public no-arg constructor",
                        "Build the coordinator with the Coordinators bean and a supplier of the state",
                        "coordinators.build(\"sized\", () -> new YourState(...)"));
    }

    @Test
    void configuredCoordinatorWithoutCommitFailsStartup() {
        this.contextRunner.withBean(AuditLog.class).withPropertyValues("batcher.coordinators.adit.coaches=2")
                .run(context -> assertStartupFailure(context, "Coordinator 'adit' is configured "
                        + "(batcher.coordinators.adit.*) but no bean has a @BatchCommit(\"adit\") method",
                        "build the coordinator with the Coordinators bean, or remove the properties "
                                + "batcher.coordinators.adit.*"));
    }

    @Test
    void twoCommitsForOneNameFailStartup() {
        this.contextRunner.withBean(AuditLog.class).withBean(SecondAuditLog.class)
                .run(context -> assertStartupFailure(context, "Two @BatchCommit methods for coordinator 'audit'",
                        "A coordinator has exactly one commit"));
    }

    @Test
    void invalidPropertyFailsStartupNamingPropertyValueAndFix() {
        this.contextRunner.withBean(AuditLog.class).withPropertyValues("batcher.coordinators.audit.coaches=0")
                .run(context -> {
                    InvalidBatcherPropertyException failure = assertStartupFailure(context,
                            "batcher.coordinators.audit.coaches=0: must be between 1 and 1024",
                            "Update batcher.coordinators.audit.coaches in your configuration");
                    assertThat(failure.getDescription()).contains("Invalid option of coordinator 'audit':");
                });
    }

    @Test
    void builderAppliesThePropertiesOfACoordinatorBuiltInCode() {
        this.contextRunner.withUserConfiguration(BuiltInCode.class)
                .withPropertyValues("batcher.coordinators.sums.coaches=3")
                .run(context -> {
                    Coordinator<long[], Long> sums = coordinator(context, "sums");
                    assertThat(sums.config().coaches()).isEqualTo(3);
                    assertThat(sums.contribute((state, round) -> state[0] += 42)).isEqualTo(42L);
                });
    }

    @Test
    void closingTheContextDrainsTheCoordinator() {
        this.contextRunner.withBean(AuditLog.class).run(context -> {
            Coordinator<List<String>, Integer> audit = coordinator(context, "audit");
            audit.contribute((records, round) -> records.add("before close"));
            context.close();
            assertThat(audit.isDrained()).isTrue();
        });
    }

    @SuppressWarnings("unchecked")
    static <S, R> Coordinator<S, R> coordinator(AssertableApplicationContext context, String name) {
        return (Coordinator<S, R>) context.getBean(BatcherRegistry.class).find(name, Coordinator.class)
                .orElseThrow();
    }

    /** Injects the coordinator of {@code audit} by type and by qualifier. */
    static class Auditors {

        final Coordinator<List<String>, Integer> byType;

        final Coordinator<List<String>, Integer> byName;

        Auditors(Coordinator<List<String>, Integer> byType,
                @Qualifier("audit") Coordinator<List<String>, Integer> byName) {
            this.byType = byType;
            this.byName = byName;
        }
    }

    /** A state class with a public no-arg constructor. */
    public static class Tally {

        int count;
    }

    static class TallyCommit {

        @BatchCommit("tally")
        String commit(Tally tally, int coach) {
            return tally.count + " on coach " + coach;
        }

        @Bean
        TallyUser tallyUser(Coordinator<Tally, String> tally) {
            return new TallyUser(tally);
        }
    }

    record TallyUser(Coordinator<Tally, String> tally) {
    }

    static class MapAndSetCommits {

        @BatchCommit("map")
        int map(Map<String, Integer> state) {
            return state.size();
        }

        @BatchCommit("set")
        int set(java.util.Set<String> state) {
            return state.size();
        }
    }

    /** A state without a no-arg constructor. */
    public record Sized(int capacity) {
    }

    static class NoFreshState {

        @BatchCommit("sized")
        int commit(Sized state) {
            return state.capacity();
        }
    }

    static class SecondAuditLog {

        final List<String> rows = new CopyOnWriteArrayList<>();

        @BatchCommit("audit")
        int store(List<String> records) {
            return records.size();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class BuiltInCode {

        @Bean
        Coordinator<long[], Long> sums(Coordinators coordinators) {
            return coordinators.build("sums", () -> new long[1], (state, coach) -> state[0]);
        }
    }
}
