package dev.batcher.autoconfigure;

import dev.batcher.coordinate.Coordinator;
import dev.batcher.spring.BatchCommit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;

/**
 * Finds {@link BatchCommit} methods on bean definitions (with the shared {@link AnnotatedMethods}, as
 * {@link BatchSinkRegistrar} does) and registers one {@code Coordinator<S, R>} bean definition per method, typed by its
 * state and result types and qualified with the coordinator name (bean name
 * {@code dev.batcher.coordinate.Coordinator#<name>}). Once every singleton exists it checks that every coordinator
 * under {@code batcher.coordinators} exists, from a {@code @BatchCommit} method or the
 * {@link dev.batcher.spring.Coordinators} bean.
 */
final class BatchCommitRegistrar implements BeanDefinitionRegistryPostProcessor, SmartInitializingSingleton,
        BeanFactoryAware, EnvironmentAware, Ordered {

    /** Prefix of the bean names of the coordinators of {@code @BatchCommit} methods. */
    static final String BEAN_NAME_PREFIX = Coordinator.class.getName() + "#";

    private final AnnotatedMethods<BatchCommit> methods = new AnnotatedMethods<>(BatchCommit.class);

    private final Map<String, CommitMethod> commits = new LinkedHashMap<>();

    private Environment environment;

    private BeanFactory beanFactory;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) throws BeansException {
        this.methods.scan(registry, (beanName, type, method, annotation) -> {
            CommitMethod commit = CommitMethod.of(beanName, type, method, annotation);
            CommitMethod existing = this.commits.putIfAbsent(commit.coordinatorName(), commit);
            if (existing != null) {
                throw new BatcherStartupException("Two @BatchCommit methods for coordinator '"
                        + commit.coordinatorName() + "': '" + existing.describe() + "' on bean '"
                        + existing.beanName() + "' and '" + commit.describe() + "' on bean '" + commit.beanName()
                        + "'. A coordinator has exactly one commit.", "Give one of them another name, such as "
                        + "@BatchCommit(\"" + commit.coordinatorName() + "-2\"), or remove it.");
            }
        });
        this.commits.values().forEach(commit -> register(registry, commit));
    }

    private static void register(BeanDefinitionRegistry registry, CommitMethod commit) {
        String name = commit.coordinatorName();
        String beanName = BEAN_NAME_PREFIX + name;
        if (registry.containsBeanDefinition(beanName)) {
            throw new BatcherStartupException("@BatchCommit(\"" + name + "\") on '" + commit.describe() + "' of bean '"
                    + commit.beanName() + "' needs the bean name '" + beanName + "', but another bean has it.",
                    "Rename that bean.");
        }
        BeanFactory factory = (BeanFactory) registry;
        RootBeanDefinition definition = new RootBeanDefinition(Coordinator.class);
        definition.setTargetType(ResolvableType.forClassWithGenerics(Coordinator.class, commit.stateType(),
                commit.resultType()));
        definition.setInstanceSupplier(() -> factory.getBean(CoordinatorFactory.class).create(commit));
        definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
        // Drained by BatcherLifecycle and closed by DefaultBatcherRegistry, not by inference.
        definition.setDestroyMethodName("");
        definition.setLazyInit(false);
        definition.setDescription("Coordinator '" + name + "' committing through @BatchCommit " + commit.describe());
        registry.registerBeanDefinition(beanName, definition);
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) throws BeansException {
    }

    /** Fails for a configured coordinator that has no {@code @BatchCommit} method and that nobody built. */
    @Override
    public void afterSingletonsInstantiated() {
        DefaultBatcherRegistry registry = this.beanFactory.getBean(DefaultBatcherRegistry.class);
        for (String name : ProcessorStoreRegistrar.configuredNames(this.environment,
                CoordinatorSettings.COORDINATORS_PREFIX)) {
            if (registry.find(name, Coordinator.class).isPresent()) {
                continue;
            }
            String property = CoordinatorSettings.COORDINATORS_PREFIX + "." + name;
            throw new BatcherStartupException("Coordinator '" + name + "' is configured (" + property + ".*) but no "
                    + "bean has a @BatchCommit(\"" + name + "\") method to commit its batches, and the application "
                    + "built no coordinator of that name with the Coordinators bean.", "Add a commit, such as "
                    + "'@BatchCommit(\"" + name + "\") int commit(List<YourRecord> records)' on a bean (a @Bean "
                    + "method must declare the class holding it as its return type), build the coordinator with the "
                    + "Coordinators bean, or remove the properties " + property + ".*.");
        }
    }
}
