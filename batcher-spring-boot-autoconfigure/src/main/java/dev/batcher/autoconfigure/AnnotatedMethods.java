package dev.batcher.autoconfigure;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;

/**
 * Finds the methods carrying one annotation on bean definitions, before any bean exists: the bean class, or the
 * declared return type of a {@code @Bean} method, scanned behind CGLIB subclasses; classes without the annotation are
 * cached (as spring-kafka's {@code KafkaListenerAnnotationBeanPostProcessor} does). Shared by the registrars of
 * {@code @BatchSink} and {@code @BatchWatcher}.
 *
 * @param <A> the annotation type
 */
final class AnnotatedMethods<A extends Annotation> {

    private static final Log logger = LogFactory.getLog(AnnotatedMethods.class);

    private final Class<A> annotation;

    private final Set<Class<?>> nonAnnotatedClasses = Collections.newSetFromMap(new ConcurrentHashMap<>(64));

    AnnotatedMethods(Class<A> annotation) {
        this.annotation = annotation;
    }

    /**
     * Calls {@code found} for every annotated method of every application bean definition.
     *
     * @param registry the bean definitions
     * @param found called with the bean name, its user class, and the annotated methods
     */
    void scan(BeanDefinitionRegistry registry, BeanMethodsConsumer<A> found) {
        ConfigurableListableBeanFactory beanFactory = (registry instanceof ConfigurableListableBeanFactory factory)
                ? factory : null;
        for (String beanName : registry.getBeanDefinitionNames()) {
            BeanDefinition definition = registry.getBeanDefinition(beanName);
            if (definition.getRole() == BeanDefinition.ROLE_INFRASTRUCTURE || definition.isAbstract()
                    || ScopedProxyUtils.isScopedTarget(beanName)) {
                continue;
            }
            Class<?> type = typeOf(beanFactory, beanName, definition);
            if (type == null) {
                continue;
            }
            Map<Method, A> methods = find(type);
            if (!methods.isEmpty()) {
                methods.forEach((method, annotation) -> found.accept(beanName, type, method, annotation));
            }
        }
    }

    /** Whether a class is known to hold no annotated method. */
    boolean isNonAnnotated(Class<?> type) {
        return this.nonAnnotatedClasses.contains(type);
    }

    /** The annotated methods of a class; the class is cached when it has none. */
    Map<Method, A> find(Class<?> type) {
        if (this.nonAnnotatedClasses.contains(type)) {
            return Map.of();
        }
        Map<Method, A> found = AnnotationUtils.isCandidateClass(type, this.annotation)
                ? MethodIntrospector.selectMethods(type, (MethodIntrospector.MetadataLookup<A>) method ->
                        AnnotatedElementUtils.findMergedAnnotation(method, this.annotation))
                : Map.of();
        if (found.isEmpty()) {
            this.nonAnnotatedClasses.add(type);
        }
        return found;
    }

    private static Class<?> typeOf(ConfigurableListableBeanFactory beanFactory, String beanName,
            BeanDefinition definition) {
        try {
            Class<?> type = (beanFactory != null) ? beanFactory.getType(beanName, false) : null;
            if (type == null && definition.getBeanClassName() != null && definition.getFactoryMethodName() == null) {
                type = ClassUtils.forName(definition.getBeanClassName(), ClassUtils.getDefaultClassLoader());
            }
            return (type != null) ? ClassUtils.getUserClass(type) : null;
        }
        catch (Throwable ex) {
            logger.debug("Could not determine the type of bean '" + beanName + "' to look for annotated methods", ex);
            return null;
        }
    }

    /**
     * Receives one annotated method.
     *
     * @param <A> the annotation type
     */
    @FunctionalInterface
    interface BeanMethodsConsumer<A> {

        void accept(String beanName, Class<?> beanClass, Method method, A annotation);
    }
}
