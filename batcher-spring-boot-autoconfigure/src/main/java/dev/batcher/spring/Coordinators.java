package dev.batcher.spring;

import dev.batcher.coordinate.Committer;
import dev.batcher.coordinate.Coordinator;
import dev.batcher.coordinate.CoordinatorConfig;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Builds the commit coordinators an application creates itself exactly as the auto-configuration builds those of
 * {@link BatchCommit} methods: with the {@code batcher.coordinators.<name>.*} properties, meters, health, the
 * {@code batchers} endpoint and the drain on shutdown within {@code batcher.shutdown.timeout}. Use it for a state
 * that {@code @BatchCommit} cannot make, or for a balancer of your own.
 *
 * <pre>{@code
 * @Bean
 * Coordinator<AuditBatch, Integer> audit(Coordinators coordinators, AuditRepository repository) {
 *     return coordinators.build("audit", () -> new AuditBatch(64), (batch, coach) -> repository.insert(batch));
 * }
 * }</pre>
 */
public interface Coordinators {

    /**
     * Builds a coordinator from its properties.
     *
     * @param name the coordinator name: the key under {@code batcher.coordinators}, distinct from every other
     *     instance
     * @param freshState makes the state of each new batch
     * @param committer commits a batch's state, once per batch
     * @param <S> the shared state type
     * @param <R> the commit's result type
     * @return the coordinator, registered
     * @throws IllegalStateException naming the property and the fix when an option is invalid, or when another
     *     instance has the name
     */
    <S, R> Coordinator<S, R> build(String name, Supplier<S> freshState, Committer<S, R> committer);

    /**
     * Builds a coordinator, then lets {@code customizer} adjust its configuration last (for example a
     * {@link dev.batcher.coordinate.Balancer} of its own).
     *
     * @param name the coordinator name
     * @param freshState makes the state of each new batch
     * @param committer commits a batch's state, once per batch
     * @param customizer adjusts this coordinator's configuration
     * @param <S> the shared state type
     * @param <R> the commit's result type
     * @return the coordinator
     * @throws IllegalStateException naming the property and the fix when an option is invalid, or when another
     *     instance has the name
     */
    <S, R> Coordinator<S, R> build(String name, Supplier<S> freshState, Committer<S, R> committer,
            Consumer<CoordinatorConfig.Builder> customizer);
}
