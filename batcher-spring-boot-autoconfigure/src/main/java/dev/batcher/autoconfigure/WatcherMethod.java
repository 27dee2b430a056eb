package dev.batcher.autoconfigure;

import dev.batcher.InvalidOptionException;
import dev.batcher.cost.Operation;
import dev.batcher.cost.Watcher;
import dev.batcher.spring.BatchWatcher;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.WildcardType;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.PropertyResolver;

/**
 * A validated {@link BatchWatcher} method: which bean, which method, which batcher and watcher name, the payload type
 * and the watcher's own limits.
 *
 * @param batcherName the batcher the watcher belongs to
 * @param watcherName the watcher name (the attribute, or else the method name)
 * @param beanName the bean declaring the method
 * @param beanClass the user class of that bean (behind proxies)
 * @param method the annotated method
 * @param payloadType the {@code P} of its {@code List<Operation<P>>} or {@code List<P>} parameter
 * @param takesOperations whether the parameter is {@code List<Operation<P>>} rather than {@code List<P>}
 * @param maxBatchSize operations per batch at most, 0 for no limit
 * @param maxAttempts attempts per operation at most, 0 for no limit
 * @param maxOperationTime the watcher's own max operation time, or {@code null} for the batcher's
 */
record WatcherMethod(String batcherName, String watcherName, String beanName, Class<?> beanClass, Method method,
        ResolvableType payloadType, boolean takesOperations, int maxBatchSize, int maxAttempts,
        Duration maxOperationTime) {

    /**
     * Validates an annotated method.
     *
     * @param properties resolves placeholders in {@code maxOperationTime}
     * @throws BatcherStartupException naming bean, method and fix when the declaration is invalid
     */
    static WatcherMethod of(String beanName, Class<?> beanClass, Method method, BatchWatcher annotation,
            PropertyResolver properties) {
        String batcher = annotation.batcher();
        if (batcher == null || batcher.isBlank()) {
            throw invalid(beanName, beanClass, method, "the batcher name is blank",
                    "Name the batcher, for example @BatchWatcher(\"cosmos\") or @BatchWatcher(batcher = \"cosmos\").");
        }
        if (method.getParameterCount() != 1 || method.getParameterTypes()[0] != List.class) {
            throw invalid(beanName, beanClass, method, "a watcher method takes exactly one parameter, "
                    + "List<Operation<P>> or List<P>, holding one batch", "Declare it as '" + method.getName()
                    + "(List<YourPayload> payloads)', or as '" + method.getName() + "(List<Operation<YourPayload>> "
                    + "operations)' to see each operation's cost and attempt.");
        }
        if (Modifier.isPrivate(method.getModifiers())) {
            throw invalid(beanName, beanClass, method, "the method is private, so it cannot be called on the bean "
                    + "(or its proxy)", "Make it public, protected or package-private.");
        }
        ResolvableType element = ResolvableType.forMethodParameter(method, 0, beanClass).getGeneric(0);
        boolean takesOperations = element.resolve() == Operation.class;
        ResolvableType payload = takesOperations ? element.getGeneric(0) : element;
        if (payload.getType() instanceof WildcardType || payload.resolve() == null) {
            payload = ResolvableType.forClass(payload.resolve(Object.class));
        }
        String watcherName = annotation.name().isBlank() ? method.getName() : annotation.name();
        String described = SinkMethod.describe(beanClass, method);
        Duration maxOperationTime = null;
        String time = properties.resolvePlaceholders(annotation.maxOperationTime()).trim();
        if (!time.isEmpty()) {
            try {
                maxOperationTime = DurationStyle.detectAndParse(time);
            }
            catch (IllegalArgumentException ex) {
                throw InvalidBatcherPropertyException.ofAttribute(batcher, described, beanName, "maxOperationTime", time,
                        "it is not a duration; write a whole number and a unit without a space, such as 10s or "
                                + "500ms", ex);
            }
        }
        WatcherMethod watcher = new WatcherMethod(batcher, watcherName, beanName, beanClass, method, payload,
                takesOperations, annotation.maxBatchSize(), annotation.maxAttempts(), maxOperationTime);
        watcher.limits(Watcher.of(operations -> { }));
        return watcher;
    }

    /**
     * Applies this watcher's limits.
     *
     * @param watcher a watcher without limits
     * @param <P> the payload type
     * @return the watcher with its limits
     * @throws InvalidBatcherPropertyException naming the attribute when the engine refuses a limit
     */
    <P> Watcher<P> limits(Watcher<P> watcher) {
        String attribute = "maxBatchSize";
        String value = String.valueOf(this.maxBatchSize);
        try {
            Watcher<P> limited = watcher.withMaxBatchSize(this.maxBatchSize);
            attribute = "maxAttempts";
            value = String.valueOf(this.maxAttempts);
            limited = limited.withMaxAttempts(this.maxAttempts);
            attribute = "maxOperationTime";
            value = String.valueOf(this.maxOperationTime);
            return limited.withMaxOperationTime(this.maxOperationTime);
        }
        catch (InvalidOptionException ex) {
            throw InvalidBatcherPropertyException.ofAttribute(this.batcherName, describe(), this.beanName, attribute,
                    Formats.durations(value), ex.getProblem(), ex);
        }
    }

    /** Describes the method for error messages, for example {@code Orders.upserts(List<Order>)}. */
    String describe() {
        return SinkMethod.describe(this.beanClass, this.method);
    }

    private static BatcherStartupException invalid(String beanName, Class<?> beanClass, Method method, String problem,
            String fix) {
        return new BatcherStartupException("Invalid @BatchWatcher method '" + SinkMethod.describe(beanClass, method)
                + "' on bean '" + beanName + "': " + problem + ".", fix);
    }
}
