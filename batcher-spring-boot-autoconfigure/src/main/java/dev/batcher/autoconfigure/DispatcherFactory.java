package dev.batcher.autoconfigure;

import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherConfig;
import dev.batcher.dispatch.DispatcherListener;
import dev.batcher.InvalidOptionException;
import dev.batcher.spring.DispatcherCustomizer;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.retry.RetryPolicy;
import org.springframework.retry.backoff.BackOffPolicy;

/**
 * Creates the dispatcher of a {@code @BatchSink}: properties first, then the {@code <name>RetryPolicy} and
 * {@code <name>BackOffPolicy} beans, then {@link DispatcherCustomizer} beans, then the metrics listener composed with
 * the application's listener. Invalid options fail with the full property name and the configured value.
 */
final class DispatcherFactory {

    static final String RETRY_POLICY_SUFFIX = "RetryPolicy";

    static final String BACK_OFF_POLICY_SUFFIX = "BackOffPolicy";

    private final BatcherProperties properties;

    private final ConfigurableListableBeanFactory beanFactory;

    private final Environment environment;

    private final DefaultBatcherRegistry registry;

    DispatcherFactory(BatcherProperties properties, ConfigurableListableBeanFactory beanFactory, Environment environment,
            DefaultBatcherRegistry registry) {
        this.properties = properties;
        this.beanFactory = beanFactory;
        this.environment = environment;
        this.registry = registry;
    }

    <T> Dispatcher<T> create(SinkMethod sink) {
        String name = sink.dispatcherName();
        DispatcherConfig.Builder<T> builder = DispatcherConfig.builder();
        this.properties.getDispatchers().getOrDefault(name, new DispatcherProperties()).applyTo(builder);
        builder.drainTimeout(this.properties.getShutdown().getTimeout());
        RetryPolicy retryPolicy = namedBean(name + RETRY_POLICY_SUFFIX, RetryPolicy.class);
        if (retryPolicy != null) {
            builder.retryPolicy(retryPolicy);
        }
        BackOffPolicy backOffPolicy = namedBean(name + BACK_OFF_POLICY_SUFFIX, BackOffPolicy.class);
        if (backOffPolicy != null) {
            builder.backOffPolicy(backOffPolicy);
        }
        customize(name, sink.itemType(), builder);
        DispatcherInstrumentation instrumentation = this.registry.instrumentation();
        DispatcherListener metrics = (instrumentation != null) ? instrumentation.listener(name) : null;
        Runnable applicationCallback = builder.drainedCallback();
        builder.listener(CompositeDispatcherListener.of(metrics, builder.listener()))
                .drainedCallback(() -> {
                    try {
                        if (applicationCallback != null) {
                            applicationCallback.run();
                        }
                    }
                    finally {
                        this.registry.closed(name);
                    }
                });
        DispatcherConfig<T> instrumented = validated(name, builder::build);
        SinkInvoker<T> sender = new SinkInvoker<>(this.beanFactory, sink);
        Dispatcher<T> dispatcher = validated(name, () -> Dispatcher.create(name, instrumented, sender));
        this.registry.register(dispatcher, sender);
        return dispatcher;
    }

    private <B> B namedBean(String beanName, Class<B> type) {
        return (this.beanFactory.containsBean(beanName) && this.beanFactory.isTypeMatch(beanName, type))
                ? this.beanFactory.getBean(beanName, type) : null;
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private <T> void customize(String name, ResolvableType itemType, DispatcherConfig.Builder<T> builder) {
        Map<Object, String> beanNames = new IdentityHashMap<>();
        this.beanFactory.getBeansOfType(DispatcherCustomizer.class).forEach((beanName, bean) -> beanNames.put(bean, beanName));
        this.beanFactory.getBeanProvider(DispatcherCustomizer.class).orderedStream()
                .filter(customizer -> appliesTo(customizer, beanNames.get(customizer), itemType))
                .forEach(customizer -> ((DispatcherCustomizer) customizer).customize(name, builder));
    }

    /** Whether a customizer's type argument (from its class, or else its bean definition) fits the item type. */
    private boolean appliesTo(Object customizer, String beanName, ResolvableType itemType) {
        ResolvableType declared = ResolvableType.forInstance(customizer).as(DispatcherCustomizer.class).getGeneric(0);
        if (declared.resolve() == null && beanName != null && this.beanFactory.containsBeanDefinition(beanName)) {
            declared = this.beanFactory.getMergedBeanDefinition(beanName).getResolvableType()
                    .as(DispatcherCustomizer.class).getGeneric(0);
        }
        Class<?> declaredClass = declared.resolve();
        return declaredClass == null || declaredClass.isAssignableFrom(itemType.toClass());
    }

    private <R> R validated(String name, Supplier<R> action) {
        try {
            return action.get();
        }
        catch (InvalidOptionException ex) {
            throw invalidProperty(name, ex);
        }
    }

    private IllegalStateException invalidProperty(String name, InvalidOptionException ex) {
        String property = "batcher.dispatchers." + name + "." + ex.getOption();
        String configured = this.environment.getProperty(property);
        Object value = (configured != null) ? configured : ex.getValue();
        return new IllegalStateException(property + "=" + value + ": " + ex.getProblem(), ex);
    }
}
