package dev.batcher.autoconfigure;

import dev.batcher.dispatch.BatchSender;
import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherConfig;
import dev.batcher.dispatch.DispatcherListener;
import dev.batcher.InvalidOptionException;
import dev.batcher.durable.DurableLogLockedException;
import dev.batcher.durable.DurableLogOptions;
import dev.batcher.durable.ItemCodec;
import dev.batcher.spring.BatcherDispatchers;
import dev.batcher.spring.DispatcherCustomizer;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.retry.RetryPolicy;
import org.springframework.retry.backoff.BackOffPolicy;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

/**
 * Builds every dispatcher of the starter, those of {@code @BatchSink} methods and those the application builds
 * through {@link BatcherDispatchers}: the properties the configuration sets ({@code batcher.defaults.*}, then
 * {@code batcher.dispatchers.<name>.*}), then the {@code <name>RetryPolicy} and {@code <name>BackOffPolicy} beans,
 * then {@link DispatcherCustomizer} beans; then it composes the meters, logging and drain hooks with the
 * application's listener, drop handler and drained callback, and registers the dispatcher. An invalid option fails
 * with an {@link InvalidDispatcherPropertyException} naming the property, its value and the fix.
 */
final class DispatcherFactory implements BatcherDispatchers {

    static final String RETRY_POLICY_SUFFIX = "RetryPolicy";

    static final String BACK_OFF_POLICY_SUFFIX = "BackOffPolicy";

    private static final String JACKSON_MAPPER = "tools.jackson.databind.ObjectMapper";

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

    /** Creates the dispatcher of a {@code @BatchSink} method. */
    <T> Dispatcher<T> create(SinkMethod sink) {
        SinkInvoker<T> sender = new SinkInvoker<>(this.beanFactory, sink);
        return create(sink.dispatcherName(), sink.itemType(), sender, null, sender,
                "@BatchSink method '" + sink.describe() + "' on bean '" + sink.beanName() + "'");
    }

    @Override
    public <T> Dispatcher<T> build(String name, Class<T> itemType, BatchSender<T> sender) {
        return build(name, itemType, sender, null);
    }

    @Override
    public <T> Dispatcher<T> build(String name, Class<T> itemType, BatchSender<T> sender,
            Consumer<DispatcherConfig.Builder<T>> customizer) {
        Assert.notNull(itemType, "itemType must not be null");
        return create(name, ResolvableType.forClass(itemType), sender, customizer, null,
                "BatcherDispatchers.build(\"" + name + "\", ...)");
    }

    @Override
    public <T> Dispatcher<T> build(String name, BatchSender<T> sender) {
        return create(name, ResolvableType.forClass(Object.class), sender, null, null,
                "BatcherDispatchers.build(\"" + name + "\", ...)");
    }

    private <T> Dispatcher<T> create(String name, ResolvableType itemType, BatchSender<T> sender,
            Consumer<DispatcherConfig.Builder<T>> lastCustomizer, SinkInvoker<T> sinkInvoker, String source) {
        Assert.hasText(name, "name must not be blank");
        Assert.notNull(sender, "sender must not be null");
        this.registry.checkNameIsFree(name, source);
        DispatcherSettings settings = DispatcherSettings.bind(this.environment, name);
        DispatcherConfig.Builder<T> builder = DispatcherConfig.builder();
        settings.applyTo(builder);
        String itemTypeName = itemType.resolve(Object.class).getSimpleName();
        DurableLogOptions durable = validated(settings, itemTypeName, settings::durableOptions);
        if (durable != null) {
            builder.durableBuffer(durable, durableCodec(settings, itemType, source));
        }
        builder.drainTimeout(this.properties.getShutdown().getTimeout());
        RetryPolicy retryPolicy = namedBean(name + RETRY_POLICY_SUFFIX, RetryPolicy.class);
        if (retryPolicy != null) {
            builder.retryPolicy(retryPolicy);
        }
        BackOffPolicy backOffPolicy = namedBean(name + BACK_OFF_POLICY_SUFFIX, BackOffPolicy.class);
        if (backOffPolicy != null) {
            builder.backOffPolicy(backOffPolicy);
        }
        customize(name, itemType, builder);
        if (lastCustomizer != null) {
            lastCustomizer.accept(builder);
        }
        DispatcherConfig<T> configured = validated(settings, itemTypeName, builder::build);
        DropSummaryLogger<T> drops = new DropSummaryLogger<>(name, configured.dropHandler(),
                DispatcherLogging.logger::warn, System::nanoTime);
        DispatcherInstrumentation instrumentation = this.registry.instrumentation();
        DispatcherListener metrics = (instrumentation != null) ? instrumentation.listener(name) : null;
        Runnable applicationCallback = configured.drainedCallback();
        DispatcherConfig<T> config = validated(settings, itemTypeName, () -> DispatcherConfig.from(configured)
                .listener(CompositeDispatcherListener.of(metrics, DispatcherLogging.listener(name),
                        configured.listener()))
                .dropHandler(drops)
                .drainedCallback(() -> {
                    try {
                        if (applicationCallback != null) {
                            applicationCallback.run();
                        }
                    }
                    finally {
                        this.registry.closed(name);
                    }
                })
                .build());
        Dispatcher<T> dispatcher = validated(settings, itemTypeName, () -> open(settings, config, sender));
        try {
            this.registry.register(dispatcher, sinkInvoker, drops, source);
        }
        catch (RuntimeException ex) {
            dispatcher.shutdownNow();
            throw ex;
        }
        return dispatcher;
    }

    /** Creates the dispatcher; a durable directory held by another instance fails startup naming the property. */
    private static <T> Dispatcher<T> open(DispatcherSettings settings, DispatcherConfig<T> config,
            BatchSender<T> sender) {
        try {
            return Dispatcher.create(settings.name(), config, sender);
        }
        catch (DurableLogLockedException ex) {
            throw new DurableBufferInUseException(durableProperty(settings), settings.name(), ex);
        }
    }

    /**
     * The codec of a durable buffer: JSON of the sink's item type by the application's Jackson mapper.
     *
     * @throws BatcherStartupException when Jackson is missing or the item type is unknown
     */
    private <T> ItemCodec<T> durableCodec(DispatcherSettings settings, ResolvableType itemType, String source) {
        String property = durableProperty(settings);
        if (!ClassUtils.isPresent(JACKSON_MAPPER, this.beanFactory.getBeanClassLoader())) {
            throw new BatcherStartupException("Dispatcher '" + settings.name() + "' has a durable buffer ("
                    + property + ") but Jackson, which writes its items, is not on the classpath.",
                    "Add tools.jackson.core:jackson-databind (spring-boot-starter-json), or remove " + property + ".");
        }
        if (itemType.resolve(Object.class) == Object.class) {
            throw new BatcherStartupException("Dispatcher '" + settings.name() + "' has a durable buffer ("
                    + property + ") but its item type is unknown (" + source + "), so replayed items could not be "
                    + "read back as what the sender expects.", "Declare the item type: a @BatchSink method taking "
                    + "List<YourItem>, or BatcherDispatchers.build(name, YourItem.class, sender).");
        }
        return JacksonItemCodec.of(this.beanFactory, itemType);
    }

    private static String durableProperty(DispatcherSettings settings) {
        ConfigurationProperty directory = settings.configured(DispatcherSettings.DURABLE_DIRECTORY);
        return (directory != null) ? directory.getName().toString()
                : DispatcherSettings.DISPATCHERS_PREFIX + "." + settings.name() + "."
                        + DispatcherSettings.DURABLE_DIRECTORY;
    }

    private <B> B namedBean(String beanName, Class<B> type) {
        return (this.beanFactory.containsBean(beanName) && this.beanFactory.isTypeMatch(beanName, type))
                ? this.beanFactory.getBean(beanName, type) : null;
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private <T> void customize(String name, ResolvableType itemType, DispatcherConfig.Builder<T> builder) {
        Map<Object, String> beanNames = new IdentityHashMap<>();
        this.beanFactory.getBeansOfType(DispatcherCustomizer.class)
                .forEach((beanName, bean) -> beanNames.put(bean, beanName));
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

    private static <R> R validated(DispatcherSettings settings, String itemType, Supplier<R> action) {
        try {
            return action.get();
        }
        catch (InvalidOptionException ex) {
            boolean defaultValue = settings.isPassedAsDefault(ex.getOption()) || ex.isDefaultValue();
            throw InvalidDispatcherPropertyException.of(settings, itemType, ex, defaultValue);
        }
    }
}
