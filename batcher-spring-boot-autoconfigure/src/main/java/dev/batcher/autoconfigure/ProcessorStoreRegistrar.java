package dev.batcher.autoconfigure;

import dev.batcher.resource.ResourceProcessor;
import dev.batcher.resource.ResourceStore;
import dev.batcher.spring.ProcessorStore;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;

/**
 * Finds the store of every resource processor on the bean definitions, before any bean exists, and registers one
 * {@code ResourceProcessor<K, R>} bean definition per processor, typed with the store's generics and qualified with the
 * processor name (bean name {@code dev.batcher.resource.ResourceProcessor#<name>}, as {@link BatchSinkRegistrar} does
 * for dispatchers), so that it is injectable by generic type and by {@code @Qualifier("<name>")}.
 *
 * <p>A processor's store is the {@code ResourceStore} bean annotated with {@link ProcessorStore @ProcessorStore("<name>")}
 * (on its class or its {@code @Bean} method) or, for a name under {@code batcher.processors}, the {@code ResourceStore}
 * bean named {@code <name>}. Two stores for one name, or the annotation on a bean that is no {@code ResourceStore},
 * fail startup at once; a configured processor without a store fails once every singleton exists, unless the
 * application built it with {@link dev.batcher.spring.ResourceProcessors}.
 */
final class ProcessorStoreRegistrar implements BeanDefinitionRegistryPostProcessor, SmartInitializingSingleton,
        BeanFactoryAware, EnvironmentAware, Ordered {

    /** Prefix of the bean names of the processors of store beans. */
    static final String BEAN_NAME_PREFIX = ResourceProcessor.class.getName() + "#";

    /** Configured processors without a store bean, with the report to fail with if nobody builds them. */
    private final Map<String, BatcherStartupException> missing = new LinkedHashMap<>();

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

    /** The names under {@code batcher.processors} or {@code batcher.coordinators}. */
    static Set<String> configuredNames(Environment environment, String prefix) {
        return Binder.get(environment).bind(prefix, Bindable.mapOf(String.class, Object.class))
                .map(map -> (Set<String>) new LinkedHashSet<>(map.keySet()))
                .orElseGet(LinkedHashSet::new);
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) throws BeansException {
        if (!(registry instanceof ConfigurableListableBeanFactory factory)) {
            return;
        }
        Map<String, Set<String>> stores = new LinkedHashMap<>();
        Map<String, String> descriptions = new LinkedHashMap<>();
        for (String beanName : factory.getBeanNamesForAnnotation(ProcessorStore.class)) {
            ProcessorStore annotation = factory.findAnnotationOnBean(beanName, ProcessorStore.class, false);
            if (annotation == null) {
                continue;
            }
            if (!factory.isTypeMatch(beanName, ResourceStore.class)) {
                throw new BatcherStartupException("Bean '" + beanName + "' is annotated with @ProcessorStore(\""
                        + annotation.value() + "\") but is not a ResourceStore, so it cannot load and save the "
                        + "resources of processor '" + annotation.value() + "'.", "Make it implement "
                        + "ResourceStore<YourKey, YourResource> (for a @Bean method: declare that as its return "
                        + "type), or remove the annotation.");
            }
            stores.computeIfAbsent(annotation.value(), key -> new LinkedHashSet<>()).add(beanName);
            descriptions.put(beanName, "'" + beanName + "' (@ProcessorStore(\"" + annotation.value() + "\"))");
        }
        for (String name : configuredNames(this.environment, ResourceProcessorSettings.PROCESSORS_PREFIX)) {
            Set<String> found = stores.computeIfAbsent(name, key -> new LinkedHashSet<>());
            if (factory.containsBeanDefinition(name) && factory.isTypeMatch(name, ResourceStore.class)) {
                found.add(name);
                descriptions.putIfAbsent(name, "'" + name + "' (named like the processor)");
            }
        }
        stores.forEach((name, found) -> {
            if (found.size() > 1) {
                throw new BatcherStartupException("Processor '" + name + "' has " + found.size() + " ResourceStore "
                        + "beans: " + String.join(" and ", found.stream().map(descriptions::get).toList())
                        + ". A processor loads and saves through exactly one store.", "Keep one: remove "
                        + "@ProcessorStore(\"" + name + "\") from the others (or rename the bean named '" + name
                        + "'), or give them their own processor names.");
            }
            if (found.isEmpty()) {
                this.missing.put(name, missingStore(factory, name));
            }
            else {
                register(registry, factory, name, found.iterator().next());
            }
        });
    }

    private static BatcherStartupException missingStore(ConfigurableListableBeanFactory factory, String name) {
        List<String> known = List.of(factory.getBeanNamesForType(ResourceStore.class, true, false));
        String property = ResourceProcessorSettings.PROCESSORS_PREFIX + "." + name;
        return new BatcherStartupException("Processor '" + name + "' is configured (" + property + ".*) but no "
                + "ResourceStore bean is named '" + name + "' or annotated with @ProcessorStore(\"" + name + "\"), and "
                + "the application built no processor of that name with the ResourceProcessors bean. "
                + (known.isEmpty() ? "There is no ResourceStore bean." : "ResourceStore beans: " + known + "."),
                "Declare its store, such as '@Bean @ProcessorStore(\"" + name + "\") ResourceStore<YourKey, "
                        + "YourResource> " + name.replaceAll("\\W", "") + "Store() { ... }', build the processor with "
                        + "the ResourceProcessors bean, or remove the properties " + property + ".*.");
    }

    private static void register(BeanDefinitionRegistry registry, ConfigurableListableBeanFactory factory,
            String name, String storeBeanName) {
        String beanName = BEAN_NAME_PREFIX + name;
        if (registry.containsBeanDefinition(beanName)) {
            throw new BatcherStartupException("The ResourceProcessor of store bean '" + storeBeanName + "' needs the "
                    + "bean name '" + beanName + "', but another bean has it.", "Rename that bean.");
        }
        RootBeanDefinition definition = new RootBeanDefinition(ResourceProcessor.class);
        definition.setTargetType(processorType(factory, storeBeanName));
        definition.setInstanceSupplier(() -> {
            ResourceStore<Object, Object> store = storeBean(factory, storeBeanName);
            return factory.getBean(ResourceProcessorFactory.class).create(name, store, null,
                    "ResourceStore bean '" + storeBeanName + "'", "bean '" + storeBeanName + "'");
        });
        definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
        // Drained by BatcherLifecycle and closed by DefaultBatcherRegistry, not by inference.
        definition.setDestroyMethodName("");
        definition.setLazyInit(false);
        definition.setDescription("ResourceProcessor '" + name + "' of ResourceStore bean '" + storeBeanName + "'");
        registry.registerBeanDefinition(beanName, definition);
    }

    @SuppressWarnings("unchecked")
    private static ResourceStore<Object, Object> storeBean(BeanFactory factory, String beanName) {
        return factory.getBean(beanName, ResourceStore.class);
    }

    /** {@code ResourceProcessor<K, R>} with the store's {@code K} and {@code R}, or raw when they are unknown. */
    private static ResolvableType processorType(ConfigurableListableBeanFactory factory, String storeBeanName) {
        Class<?> type = factory.getType(storeBeanName, false);
        ResolvableType store = factory.getMergedBeanDefinition(storeBeanName).getResolvableType().as(ResourceStore.class);
        if ((store == ResolvableType.NONE || store.hasUnresolvableGenerics()) && type != null) {
            store = ResolvableType.forClass(type).as(ResourceStore.class);
        }
        if (store == ResolvableType.NONE || store.hasUnresolvableGenerics()) {
            return ResolvableType.forClass(ResourceProcessor.class);
        }
        return ResolvableType.forClassWithGenerics(ResourceProcessor.class, store.getGeneric(0), store.getGeneric(1));
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) throws BeansException {
    }

    /** Fails for a configured processor that has no store and that the application did not build either. */
    @Override
    public void afterSingletonsInstantiated() {
        if (this.missing.isEmpty()) {
            return;
        }
        DefaultBatcherRegistry registry = this.beanFactory.getBean(DefaultBatcherRegistry.class);
        this.missing.forEach((name, failure) -> {
            if (registry.find(name, ResourceProcessor.class).isEmpty()) {
                throw failure;
            }
        });
    }
}
