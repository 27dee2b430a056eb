package dev.batcher.autoconfigure;

import dev.batcher.resource.ResourceProcessor;
import dev.batcher.resource.ResourceProcessorConfig;
import dev.batcher.resource.ResourceStore;
import dev.batcher.spring.ResourceProcessors;
import java.util.function.Consumer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;
import org.springframework.util.Assert;

/**
 * Builds every resource processor of the starter, those of store beans ({@link ProcessorStoreRegistrar}) and those the
 * application builds through {@link ResourceProcessors}: the properties the configuration sets
 * ({@code batcher.processor-defaults.*}, {@code batcher.processors.<name>.*}), the drain timeout, then the
 * application's customizer; then it adds the observer (health, endpoint, meters) and registers the processor, paused
 * until the application has started. An invalid option fails with an {@link InvalidBatcherPropertyException} naming
 * the property, its value and the fix.
 */
final class ResourceProcessorFactory implements ResourceProcessors, org.springframework.beans.factory.SmartInitializingSingleton,
        org.springframework.beans.factory.BeanFactoryAware {

    private static final Log logger = LogFactory.getLog(ResourceProcessorFactory.class);

    private final BatcherProperties properties;

    private final Environment environment;

    private final DefaultBatcherRegistry registry;

    private final ObjectProvider<EngineInstrumentation<ResourceProcessor<?, ?>, ProcessorObserver>> instrumentation;

    private org.springframework.beans.factory.ListableBeanFactory beans;

    ResourceProcessorFactory(BatcherProperties properties, Environment environment, DefaultBatcherRegistry registry,
            ObjectProvider<EngineInstrumentation<ResourceProcessor<?, ?>, ProcessorObserver>> instrumentation) {
        this.properties = properties;
        this.environment = environment;
        this.registry = registry;
        this.instrumentation = instrumentation;
    }

    @Override
    public void setBeanFactory(org.springframework.beans.factory.BeanFactory beanFactory) {
        this.beans = (beanFactory instanceof org.springframework.beans.factory.ListableBeanFactory listable)
                ? listable : null;
    }

    /**
     * Adds the {@code ResourceProcessor} singletons the application created itself with
     * {@code ResourceProcessor.create}: they get the endpoint, health, meters and the drain on shutdown (not the
     * properties, and they are not paused until start).
     */
    @Override
    public void afterSingletonsInstantiated() {
        if (this.beans == null) {
            return;
        }
        for (String beanName : this.beans.getBeanNamesForType(ResourceProcessor.class, false, false)) {
            ResourceProcessor<?, ?> processor = this.beans.getBean(beanName, ResourceProcessor.class);
            if (this.registry.find(processor.name(), ResourceProcessor.class).orElse(null) == processor) {
                continue;
            }
            String source = "ResourceProcessor bean '" + beanName + "', created by the application";
            register(processor, "its own", false, source);
            logger.info("ResourceProcessor '" + processor.name() + "' registered: " + source
                    + " (batcher.processors.* properties do not apply to it)");
        }
    }

    @Override
    public <K, R> ResourceProcessor<K, R> build(String name, ResourceStore<K, R> store) {
        return build(name, store, null);
    }

    @Override
    public <K, R> ResourceProcessor<K, R> build(String name, ResourceStore<K, R> store,
            Consumer<ResourceProcessorConfig.Builder> customizer) {
        Assert.notNull(store, "store must not be null");
        return create(name, store, customizer, "ResourceProcessors.build(\"" + name + "\", ...)",
                store.getClass().getName());
    }

    /**
     * Creates, observes and registers a processor.
     *
     * @param name the processor name
     * @param store its store
     * @param customizer adjusts the configuration last, or {@code null}
     * @param source what builds it, for messages
     * @param storeDescription the store, for the endpoint
     * @return the registered processor, paused until the application has started
     */
    <K, R> ResourceProcessor<K, R> create(String name, ResourceStore<K, R> store,
            Consumer<ResourceProcessorConfig.Builder> customizer, String source, String storeDescription) {
        Assert.hasText(name, "name must not be blank");
        this.registry.checkNameIsFree(name, source);
        ResourceProcessorSettings settings = ResourceProcessorSettings.bind(this.environment, name);
        ResourceProcessorConfig.Builder builder = ResourceProcessorConfig.builder();
        settings.applyTo(builder, this.properties.getShutdown().getTimeout());
        if (customizer != null) {
            customizer.accept(builder);
        }
        ResourceProcessorConfig config = settings.validated(builder::build);
        ResourceProcessor<K, R> processor = ResourceProcessor.create(name, config, store);
        try {
            processor.pause();
            register(processor, storeDescription, true, source);
        }
        catch (RuntimeException ex) {
            processor.shutdownNow();
            throw ex;
        }
        logger.info("ResourceProcessor '" + name + "' created from " + source + " with store " + storeDescription
                + ": min-duration=" + Formats.duration(config.minDuration()) + ", max-duration="
                + Formats.duration(config.maxDuration()) + ", max-concurrent-batches=" + config.maxConcurrentBatches()
                + ", buffer.max-items=" + config.buffer().maxItems());
        return processor;
    }

    /**
     * Observes the processor, binds its meters and registers its view: the same for built and adopted ones.
     *
     * @param pausedUntilStart whether it waits, paused, for the context to start it (built here) or not (adopted)
     */
    private void register(ResourceProcessor<?, ?> processor, String storeDescription, boolean pausedUntilStart,
            String source) {
        ProcessorObserver observer = new ProcessorObserver();
        processor.addListener(observer);
        EngineInstrumentation<ResourceProcessor<?, ?>, ProcessorObserver> meters =
                this.instrumentation.getIfAvailable();
        if (meters != null) {
            meters.bind(processor, observer);
        }
        Runnable unbind = (meters != null) ? () -> meters.unbind(processor.name()) : () -> {
        };
        this.registry.registerEngine(
                new ResourceProcessorView(processor, observer, storeDescription, pausedUntilStart, unbind), source);
    }
}
