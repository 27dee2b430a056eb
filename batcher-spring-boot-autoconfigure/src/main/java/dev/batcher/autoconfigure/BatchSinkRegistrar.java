package dev.batcher.autoconfigure;

import dev.batcher.dispatch.Dispatcher;
import dev.batcher.spring.BatchSink;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
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
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;

/**
 * Finds {@link BatchSink} methods and registers one {@code Dispatcher<T>} bean definition per sink, typed with a
 * {@link ResolvableType} and qualified with the dispatcher name, so that {@code Dispatcher<OrderEvent>} can be
 * injected by generic type and by {@code @Qualifier("orders")} anywhere, also into the sink's own bean and into beans
 * created before it. The bean is named {@code dev.batcher.dispatch.Dispatcher#<name>}, not {@code <name>}, so that it
 * takes no name in the application's namespace: a sink bean named like its dispatcher ({@code Words} with
 * {@code @BatchSink("words")}) is fine.
 *
 * <p>Discovery works on bean definitions, before any bean exists (like spring-kafka's
 * {@code KafkaListenerAnnotationBeanPostProcessor}, but one step earlier): the bean class, or the declared return
 * type of a {@code @Bean} method, is scanned behind CGLIB subclasses, and classes without the annotation are cached.
 * As a {@link BeanPostProcessor} it then checks every created bean, behind proxies, so that a sink hidden behind a
 * declared interface type fails startup instead of being silently ignored.
 */
final class BatchSinkRegistrar implements BeanDefinitionRegistryPostProcessor, BeanPostProcessor, Ordered {

    /** Prefix of the bean names of the dispatchers of {@code @BatchSink} methods. */
    static final String BEAN_NAME_PREFIX = Dispatcher.class.getName() + "#";

    private final AnnotatedMethods<BatchSink> methods = new AnnotatedMethods<>(BatchSink.class);

    /** Sinks by dispatcher name. */
    private final Map<String, SinkMethod> sinks = new LinkedHashMap<>();

    /** Every discovered sink method, as bean name + method, for the check of created beans. */
    private final Set<String> discovered = ConcurrentHashMap.newKeySet();

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) throws BeansException {
        this.methods.scan(registry, (beanName, type, method, annotation) ->
                add(SinkMethod.of(beanName, type, method, annotation)));
        for (SinkMethod sink : this.sinks.values()) {
            register(registry, sink);
        }
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
                throw new BatcherStartupException("@BatchSink method '" + SinkMethod.describe(targetClass, method)
                        + "' on bean '" + beanName + "' was not found when the bean definitions were scanned, because "
                        + "the bean's declared type does not show it.", "Declare the bean with the class that holds "
                        + "the @BatchSink method (for a @Bean method: as its return type), not with an interface.");
            }
        });
        return bean;
    }

    private void add(SinkMethod sink) {
        SinkMethod existing = this.sinks.putIfAbsent(sink.dispatcherName(), sink);
        if (existing != null) {
            throw new BatcherStartupException("Two @BatchSink methods for dispatcher '" + sink.dispatcherName()
                    + "': '" + existing.describe() + "' on bean '" + existing.beanName() + "' and '" + sink.describe()
                    + "' on bean '" + sink.beanName() + "'. A dispatcher has exactly one sink.", "Give one of them "
                    + "another name, such as @BatchSink(\"" + sink.dispatcherName() + "-2\"), or remove it.");
        }
        this.discovered.add(key(sink.beanName(), sink.method()));
    }

    private void register(BeanDefinitionRegistry registry, SinkMethod sink) {
        String name = sink.dispatcherName();
        String beanName = BEAN_NAME_PREFIX + name;
        if (registry.containsBeanDefinition(beanName)) {
            throw new BatcherStartupException("@BatchSink(\"" + name + "\") on '" + sink.describe() + "' of bean '"
                    + sink.beanName() + "' needs the bean name '" + beanName + "', but another bean has it.",
                    "Rename that bean.");
        }
        BeanFactory factory = (BeanFactory) registry;
        RootBeanDefinition definition = new RootBeanDefinition(Dispatcher.class);
        definition.setTargetType(ResolvableType.forClassWithGenerics(Dispatcher.class, sink.itemType()));
        definition.setInstanceSupplier(() -> factory.getBean(DispatcherFactory.class).create(sink));
        // Injectable with @Qualifier("<name>") without taking the bean name <name> from the application.
        definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
        // Closed by BatcherLifecycle (drain) and DefaultBatcherRegistry (on failed startup), not by inference.
        definition.setDestroyMethodName("");
        // Created eagerly even with spring.main.lazy-initialization, so that bad configuration fails startup.
        definition.setLazyInit(false);
        definition.setDescription("Dispatcher '" + name + "' sending through @BatchSink " + sink.describe());
        registry.registerBeanDefinition(beanName, definition);
    }

    private static String key(String beanName, Method method) {
        return beanName + "#" + method;
    }
}
