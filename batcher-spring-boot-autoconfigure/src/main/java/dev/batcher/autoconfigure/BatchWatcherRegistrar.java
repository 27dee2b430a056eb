package dev.batcher.autoconfigure;

import dev.batcher.cost.Batcher;
import dev.batcher.spring.BatchWatcher;
import dev.batcher.spring.WatcherHandle;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanPostProcessor;
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
 * Finds {@link BatchWatcher} methods on bean definitions (like {@link BatchSinkRegistrar}, with the shared
 * {@link AnnotatedMethods}) and registers, per batcher name, one {@link Batcher} bean qualified with that name (bean
 * name {@code dev.batcher.cost.Batcher#<name>}), and per watcher one {@code WatcherHandle<P>} bean typed by its
 * payload and qualified with the watcher name (bean name {@code dev.batcher.spring.WatcherHandle#<batcher>.<watcher>}).
 * Both are injectable anywhere, also into the watcher's own bean. As a {@link BeanPostProcessor} it then checks every
 * created bean, behind proxies, so that a watcher hidden behind a declared interface type fails startup.
 */
final class BatchWatcherRegistrar implements BeanDefinitionRegistryPostProcessor, BeanPostProcessor, EnvironmentAware,
        Ordered {

    /** Prefix of the bean names of the batchers of {@code @BatchWatcher} methods. */
    static final String BATCHER_BEAN_NAME_PREFIX = Batcher.class.getName() + "#";

    /** Prefix of the bean names of watcher handles. */
    static final String HANDLE_BEAN_NAME_PREFIX = WatcherHandle.class.getName() + "#";

    private final AnnotatedMethods<BatchWatcher> methods = new AnnotatedMethods<>(BatchWatcher.class);

    /** Watchers by batcher name, then by watcher name. */
    private final Map<String, Map<String, WatcherMethod>> watchers = new LinkedHashMap<>();

    private final Set<String> discovered = ConcurrentHashMap.newKeySet();

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) throws BeansException {
        this.methods.scan(registry, (beanName, type, method, annotation) ->
                add(WatcherMethod.of(beanName, type, method, annotation, this.environment)));
        this.watchers.forEach((name, byName) -> register(registry, name, List.copyOf(byName.values())));
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) throws BeansException {
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        Class<?> targetClass = AopUtils.getTargetClass(bean);
        if (this.methods.isNonAnnotated(targetClass)) {
            return bean;
        }
        String name = ScopedProxyUtils.isScopedTarget(beanName) ? ScopedProxyUtils.getOriginalBeanName(beanName)
                : beanName;
        this.methods.find(targetClass).keySet().forEach(method -> {
            if (!this.discovered.contains(key(name, method))) {
                throw new BatcherStartupException("@BatchWatcher method '" + SinkMethod.describe(targetClass, method)
                        + "' on bean '" + beanName + "' was not found when the bean definitions were scanned, because "
                        + "the bean's declared type does not show it.", "Declare the bean with the class that holds "
                        + "the @BatchWatcher method (for a @Bean method: as its return type), not with an interface.");
            }
        });
        return bean;
    }

    private void add(WatcherMethod watcher) {
        Map<String, WatcherMethod> byName = this.watchers.computeIfAbsent(watcher.batcherName(),
                key -> new LinkedHashMap<>());
        WatcherMethod existing = byName.putIfAbsent(watcher.watcherName(), watcher);
        if (existing != null) {
            throw new BatcherStartupException("Two @BatchWatcher methods of batcher '" + watcher.batcherName()
                    + "' are named '" + watcher.watcherName() + "': '" + existing.describe() + "' on bean '"
                    + existing.beanName() + "' and '" + watcher.describe() + "' on bean '" + watcher.beanName()
                    + "'. The name qualifies the watcher's WatcherHandle bean.", "Name one of them, such as "
                    + "@BatchWatcher(batcher = \"" + watcher.batcherName() + "\", name = \"" + watcher.watcherName()
                    + "-2\").");
        }
        this.discovered.add(key(watcher.beanName(), watcher.method()));
    }

    private void register(BeanDefinitionRegistry registry, String name, List<WatcherMethod> methods) {
        String batcherBeanName = BATCHER_BEAN_NAME_PREFIX + name;
        checkFree(registry, batcherBeanName, methods.get(0));
        BeanFactory factory = (BeanFactory) registry;
        RootBeanDefinition batcher = new RootBeanDefinition(Batcher.class);
        batcher.setInstanceSupplier(() -> factory.getBean(CostBatcherFactory.class).create(name, methods));
        batcher.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
        // Drained by BatcherLifecycle and closed by DefaultBatcherRegistry, not by inference.
        batcher.setDestroyMethodName("");
        batcher.setLazyInit(false);
        batcher.setDescription("Batcher '" + name + "' of @BatchWatcher methods "
                + methods.stream().map(WatcherMethod::describe).toList());
        registry.registerBeanDefinition(batcherBeanName, batcher);
        for (WatcherMethod method : methods) {
            String handleBeanName = HANDLE_BEAN_NAME_PREFIX + name + "." + method.watcherName();
            checkFree(registry, handleBeanName, method);
            RootBeanDefinition handle = new RootBeanDefinition(WatcherHandle.class);
            handle.setTargetType(ResolvableType.forClassWithGenerics(WatcherHandle.class, method.payloadType()));
            handle.setInstanceSupplier(() -> {
                factory.getBean(batcherBeanName, Batcher.class);
                return factory.getBean(DefaultBatcherRegistry.class).watcher(name, method.watcherName());
            });
            handle.addQualifier(new AutowireCandidateQualifier(Qualifier.class, method.watcherName()));
            handle.setDestroyMethodName("");
            handle.setDescription("WatcherHandle of @BatchWatcher " + method.describe() + " (batcher '" + name + "')");
            registry.registerBeanDefinition(handleBeanName, handle);
        }
    }

    private static void checkFree(BeanDefinitionRegistry registry, String beanName, WatcherMethod method) {
        if (registry.containsBeanDefinition(beanName)) {
            throw new BatcherStartupException("@BatchWatcher on '" + method.describe() + "' of bean '"
                    + method.beanName() + "' needs the bean name '" + beanName + "', but another bean has it.",
                    "Rename that bean.");
        }
    }

    private static String key(String beanName, Method method) {
        return beanName + "#" + method;
    }
}
