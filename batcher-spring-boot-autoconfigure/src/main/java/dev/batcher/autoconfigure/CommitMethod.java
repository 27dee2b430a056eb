package dev.batcher.autoconfigure;

import dev.batcher.spring.BatchCommit;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;

/**
 * A validated {@link BatchCommit} method: {@code R commit(S state)} or {@code R commit(S state, int coach)}, with the
 * supplier of a fresh state that its parameter type allows.
 *
 * @param coordinatorName the coordinator it commits for
 * @param beanName the bean declaring it
 * @param beanClass the bean's user class
 * @param method the method
 * @param stateType {@code S}
 * @param resultType {@code R}, boxed; {@code Void} for a {@code void} method
 * @param freshState makes the state of each new batch
 * @param takesCoach whether the method takes the coach as its second parameter
 */
record CommitMethod(String coordinatorName, String beanName, Class<?> beanClass, Method method,
        ResolvableType stateType, ResolvableType resultType, Supplier<Object> freshState, boolean takesCoach) {

    /**
     * Validates an annotated method.
     *
     * @throws BatcherStartupException naming bean, method and fix when the declaration is invalid
     */
    static CommitMethod of(String beanName, Class<?> beanClass, Method method, BatchCommit annotation) {
        String name = annotation.value();
        if (name == null || name.isBlank()) {
            throw invalid(beanName, beanClass, method, "the coordinator name is blank",
                    "Name the coordinator, for example @BatchCommit(\"audit\").");
        }
        int count = method.getParameterCount();
        if (count < 1 || count > 2 || (count == 2 && method.getParameterTypes()[1] != int.class)) {
            throw invalid(beanName, beanClass, method, "a commit method takes the batch's state, and optionally the "
                    + "coach as an int", "Declare it as 'YourResult " + method.getName() + "(List<YourRecord> "
                    + "records)' or 'YourResult " + method.getName() + "(List<YourRecord> records, int coach)'.");
        }
        if (Modifier.isPrivate(method.getModifiers())) {
            throw invalid(beanName, beanClass, method, "the method is private, so it cannot be called on the bean "
                    + "(or its proxy)", "Make it public, protected or package-private.");
        }
        ResolvableType stateType = ResolvableType.forMethodParameter(method, 0, beanClass);
        Supplier<Object> freshState = freshState(stateType.toClass());
        if (freshState == null) {
            throw invalid(beanName, beanClass, method, "its state type " + ClassUtils.getShortName(stateType.toClass())
                    + " is neither a List, Set or Map interface nor a class with a public no-arg constructor, so "
                    + "the starter cannot make a fresh state for each batch", "Build the coordinator with the "
                    + "Coordinators bean and a supplier of the state: '@Bean Coordinator<"
                    + ClassUtils.getShortName(stateType.toClass()) + ", YourResult> " + name.replaceAll("\\W", "")
                    + "(Coordinators coordinators) { return coordinators.build(\"" + name + "\", () -> new "
                    + "YourState(...), (state, coach) -> ...); }', and remove @BatchCommit.");
        }
        Class<?> returned = method.getReturnType();
        ResolvableType resultType = (returned == void.class) ? ResolvableType.forClass(Void.class)
                : returned.isPrimitive() ? ResolvableType.forClass(ClassUtils.resolvePrimitiveIfNecessary(returned))
                : ResolvableType.forMethodReturnType(method, beanClass);
        return new CommitMethod(name, beanName, beanClass, method, stateType, resultType, freshState, count == 2);
    }

    /** A supplier of fresh states of {@code type}, or {@code null} when the starter cannot make one. */
    private static Supplier<Object> freshState(Class<?> type) {
        if (type == List.class || type == Collection.class || type == Iterable.class) {
            return ArrayList::new;
        }
        if (type == Set.class) {
            return LinkedHashSet::new;
        }
        if (type == Map.class) {
            return LinkedHashMap::new;
        }
        if (type.isInterface() || type.isArray() || type.isPrimitive() || Modifier.isAbstract(type.getModifiers())
                || !Modifier.isPublic(type.getModifiers())) {
            return null;
        }
        try {
            Constructor<?> constructor = type.getConstructor();
            return () -> {
                try {
                    return constructor.newInstance();
                }
                catch (ReflectiveOperationException ex) {
                    throw new IllegalStateException("Could not make a fresh " + type.getName() + " for a batch", ex);
                }
            };
        }
        catch (NoSuchMethodException ex) {
            return null;
        }
    }

    /** Describes the method for error messages, for example {@code AuditLog.insert(List<AuditRecord>)}. */
    String describe() {
        return SinkMethod.describe(this.beanClass, this.method);
    }

    private static BatcherStartupException invalid(String beanName, Class<?> beanClass, Method method, String problem,
            String fix) {
        return new BatcherStartupException("Invalid @BatchCommit method '" + SinkMethod.describe(beanClass, method)
                + "' on bean '" + beanName + "': " + problem + ".", fix);
    }
}
