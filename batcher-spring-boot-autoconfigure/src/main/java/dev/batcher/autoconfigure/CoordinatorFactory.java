package dev.batcher.autoconfigure;

import dev.batcher.coordinate.Committer;
import dev.batcher.coordinate.Coordinator;
import dev.batcher.coordinate.CoordinatorConfig;
import dev.batcher.spring.Coordinators;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;
import org.springframework.util.Assert;

/**
 * Builds every coordinator of the starter, those of {@code @BatchCommit} methods and those the application builds
 * through {@link Coordinators}: the properties the configuration sets ({@code batcher.coordinator-defaults.*},
 * {@code batcher.coordinators.<name>.*}), the drain timeout, then the application's customizer; then it adds the
 * observer (health, endpoint, meters) and registers the coordinator. An invalid option fails with an
 * {@link InvalidBatcherPropertyException} naming the property, its value and the fix.
 */
final class CoordinatorFactory implements Coordinators, org.springframework.beans.factory.SmartInitializingSingleton {

    private static final Log logger = LogFactory.getLog(CoordinatorFactory.class);

    private final BatcherProperties properties;

    private final BeanFactory beanFactory;

    private final Environment environment;

    private final DefaultBatcherRegistry registry;

    private final ObjectProvider<EngineInstrumentation<Coordinator<?, ?>, CoordinatorObserver>> instrumentation;

    CoordinatorFactory(BatcherProperties properties, BeanFactory beanFactory, Environment environment,
            DefaultBatcherRegistry registry,
            ObjectProvider<EngineInstrumentation<Coordinator<?, ?>, CoordinatorObserver>> instrumentation) {
        this.properties = properties;
        this.beanFactory = beanFactory;
        this.environment = environment;
        this.registry = registry;
        this.instrumentation = instrumentation;
    }

    /** Creates the coordinator of a {@code @BatchCommit} method; the method's bean is looked up at the first commit. */
    Coordinator<Object, Object> create(CommitMethod commit) {
        BeanMethodInvoker invoker = new BeanMethodInvoker(this.beanFactory, commit.beanName(), commit.method());
        Committer<Object, Object> committer = commit.takesCoach() ? (state, coach) -> invoker.call(state, coach)
                : (state, coach) -> invoker.call(state);
        String source = "@BatchCommit method '" + commit.describe() + "' on bean '" + commit.beanName() + "'";
        return create(commit.coordinatorName(), commit.freshState(), committer, null, source);
    }

    /**
     * Adds the {@code Coordinator} singletons the application created itself with {@code Coordinator.create}: they
     * get the endpoint, health, meters and the drain on shutdown (not the properties).
     */
    @Override
    public void afterSingletonsInstantiated() {
        if (!(this.beanFactory instanceof org.springframework.beans.factory.ListableBeanFactory beans)) {
            return;
        }
        for (String beanName : beans.getBeanNamesForType(Coordinator.class, false, false)) {
            Coordinator<?, ?> coordinator = beans.getBean(beanName, Coordinator.class);
            if (this.registry.find(coordinator.name(), Coordinator.class).orElse(null) == coordinator) {
                continue;
            }
            String source = "Coordinator bean '" + beanName + "', created by the application";
            register(coordinator, source);
            logger.info("Coordinator '" + coordinator.name() + "' registered: " + source
                    + " (batcher.coordinators.* properties do not apply to it)");
        }
    }

    @Override
    public <S, R> Coordinator<S, R> build(String name, Supplier<S> freshState, Committer<S, R> committer) {
        return build(name, freshState, committer, null);
    }

    @Override
    public <S, R> Coordinator<S, R> build(String name, Supplier<S> freshState, Committer<S, R> committer,
            Consumer<CoordinatorConfig.Builder> customizer) {
        Assert.notNull(freshState, "freshState must not be null");
        Assert.notNull(committer, "committer must not be null");
        return create(name, freshState, committer, customizer, "Coordinators.build(\"" + name + "\", ...)");
    }

    private <S, R> Coordinator<S, R> create(String name, Supplier<S> freshState, Committer<S, R> committer,
            Consumer<CoordinatorConfig.Builder> customizer, String source) {
        Assert.hasText(name, "name must not be blank");
        this.registry.checkNameIsFree(name, source);
        CoordinatorSettings settings = CoordinatorSettings.bind(this.environment, name);
        CoordinatorConfig.Builder builder = CoordinatorConfig.builder();
        settings.applyTo(builder, this.properties.getShutdown().getTimeout());
        if (customizer != null) {
            customizer.accept(builder);
        }
        CoordinatorConfig config = settings.validated(builder::build);
        Coordinator<S, R> coordinator = Coordinator.create(name, config, freshState, committer);
        try {
            register(coordinator, source);
        }
        catch (RuntimeException ex) {
            coordinator.shutdownNow();
            throw ex;
        }
        logger.info("Coordinator '" + name + "' created from " + source + ": coaches=" + config.coaches());
        return coordinator;
    }

    /** Observes the coordinator, binds its meters and registers its view: the same for built and adopted ones. */
    private void register(Coordinator<?, ?> coordinator, String source) {
        CoordinatorObserver observer = new CoordinatorObserver();
        coordinator.addListener(observer);
        EngineInstrumentation<Coordinator<?, ?>, CoordinatorObserver> meters = this.instrumentation.getIfAvailable();
        if (meters != null) {
            meters.bind(coordinator, observer);
        }
        Runnable unbind = (meters != null) ? () -> meters.unbind(coordinator.name()) : () -> {
        };
        this.registry.registerEngine(new CoordinatorView(coordinator, observer, source, unbind), source);
    }
}
