package dev.batcher.autoconfigure;

import dev.batcher.Batch;
import dev.batcher.spring.BatchSink;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;

/**
 * A validated {@link BatchSink} method: which bean, which method, which dispatcher, and the item type.
 *
 * @param dispatcherName the dispatcher the method sends for
 * @param beanName the bean declaring the method
 * @param beanClass the user class of that bean (behind proxies)
 * @param method the annotated method
 * @param itemType the {@code T} of its {@code List<T>} or {@code Batch<T>} parameter
 * @param takesBatch whether the parameter is a {@code Batch<T>} rather than a {@code List<T>}
 */
record SinkMethod(String dispatcherName, String beanName, Class<?> beanClass, Method method, ResolvableType itemType,
        boolean takesBatch) {

    /**
     * Validates an annotated method.
     *
     * @throws BatcherStartupException naming bean, method and fix when the declaration is invalid
     */
    static SinkMethod of(String beanName, Class<?> beanClass, Method method, BatchSink annotation) {
        String name = annotation.value();
        if (name == null || name.isBlank()) {
            throw invalid(beanName, beanClass, method, "the dispatcher name is blank",
                    "Name the dispatcher, for example @BatchSink(\"orders\").");
        }
        if (method.getParameterCount() != 1
                || (method.getParameterTypes()[0] != List.class && method.getParameterTypes()[0] != Batch.class)) {
            throw invalid(beanName, beanClass, method, "a sink method takes exactly one parameter, List<T> or Batch<T>, "
                    + "holding the items of one batch", "Declare it as '" + method.getName()
                    + "(List<YourItem> items)', or as '" + method.getName() + "(Batch<YourItem> batch)' to see the "
                    + "attempt number and the key.");
        }
        if (Modifier.isPrivate(method.getModifiers())) {
            throw invalid(beanName, beanClass, method, "the method is private, so it cannot be called on the bean "
                    + "(or its proxy)", "Make it public, protected or package-private.");
        }
        ResolvableType parameter = ResolvableType.forMethodParameter(method, 0, beanClass);
        ResolvableType itemType = parameter.getGeneric(0);
        Type type = itemType.getType();
        if (type instanceof WildcardType || itemType.resolve() == null) {
            itemType = ResolvableType.forClass(itemType.resolve(Object.class));
        }
        return new SinkMethod(name, beanName, beanClass, method, itemType, parameter.toClass() == Batch.class);
    }

    /** Describes the method for error messages, for example {@code OrderSink.store(List<OrderEvent>)}. */
    String describe() {
        return describe(this.beanClass, this.method);
    }

    static String describe(Class<?> beanClass, Method method) {
        String parameters = Arrays.stream(method.getGenericParameterTypes())
                .map(type -> type.getTypeName().replaceAll("(?<![\\w$])([a-z_][\\w]*\\.)+", "").replace('$', '.'))
                .collect(Collectors.joining(", "));
        return ClassUtils.getShortName(beanClass) + "." + method.getName() + "(" + parameters + ")";
    }

    private static BatcherStartupException invalid(String beanName, Class<?> beanClass, Method method, String problem,
            String fix) {
        return new BatcherStartupException("Invalid @BatchSink method '" + describe(beanClass, method) + "' on bean '"
                + beanName + "': " + problem + ".", fix);
    }
}
