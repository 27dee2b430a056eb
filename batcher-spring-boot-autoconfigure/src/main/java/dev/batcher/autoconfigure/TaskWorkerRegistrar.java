package dev.batcher.autoconfigure;

import dev.batcher.spring.TaskWorker;
import dev.batcher.task.TaskRegistry;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.Ordered;

/**
 * Registers every {@link TaskWorker @TaskWorker} method in the application's {@link TaskRegistry} as its bean is
 * created (the methods are found with the shared {@link AnnotatedMethods}, on the class behind proxies; a proxy's
 * advice still applies, as the method is called on the bean). A started queue starts consuming a task registered
 * later. Two workers for one name, a method the queue cannot call, a worker on a bean that is not a singleton or
 * that a JDK interface proxy hides, fail startup naming the bean, the method and the fix.
 */
final class TaskWorkerRegistrar implements BeanPostProcessor, BeanFactoryAware, Ordered {

    private final AnnotatedMethods<TaskWorker> methods = new AnnotatedMethods<>(TaskWorker.class);

    /** Registered workers by task name: {@code 'Class.method(..)' on bean 'name'}. */
    private final Map<String, String> workers = new ConcurrentHashMap<>();

    private ConfigurableListableBeanFactory beanFactory;

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        Class<?> targetClass = AopUtils.getTargetClass(bean);
        if (this.methods.isNonAnnotated(targetClass)) {
            return bean;
        }
        Map<Method, TaskWorker> found = this.methods.find(targetClass);
        if (found.isEmpty()) {
            return bean;
        }
        if (this.beanFactory.containsBeanDefinition(beanName) && !this.beanFactory.isSingleton(beanName)) {
            Method method = found.keySet().iterator().next();
            throw new BatcherStartupException("@TaskWorker method '" + SinkMethod.describe(targetClass, method)
                    + "' is on bean '" + beanName + "', which is not a singleton: each new instance would register "
                    + "the task again.", "Make bean '" + beanName + "' a singleton, or move the @TaskWorker method to "
                    + "a singleton bean.");
        }
        TaskRegistry registry = this.beanFactory.getBean(TaskRegistry.class);
        found.forEach((method, annotation) -> register(registry, bean, beanName, targetClass, method, annotation));
        return bean;
    }

    private void register(TaskRegistry registry, Object bean, String beanName, Class<?> targetClass, Method method,
            TaskWorker annotation) {
        String description = SinkMethod.describe(targetClass, method);
        String where = "'" + description + "' on bean '" + beanName + "'";
        String name = annotation.value();
        if (name == null || name.isBlank()) {
            throw new BatcherStartupException("@TaskWorker on " + where + " has a blank task name.",
                    "Name the task, such as @TaskWorker(\"" + method.getName() + "\").");
        }
        if (!method.getDeclaringClass().isInstance(bean)) {
            throw new BatcherStartupException("@TaskWorker method " + where + " is hidden by an interface-based proxy"
                    + " of the bean, so it cannot be called on it.", "Proxy the bean by its class "
                    + "(spring.aop.proxy-target-class=true, the default), or declare the method on an interface the "
                    + "bean implements.");
        }
        String before = this.workers.putIfAbsent(name, where);
        if (before != null) {
            throw new BatcherStartupException("Two @TaskWorker methods for task '" + name + "': " + before + " and "
                    + where + ". A task name has one worker.", "Rename one of them, such as @TaskWorker(\"" + name
                    + "-2\"), or remove one.");
        }
        try {
            registry.register(name, bean, method);
        }
        catch (IllegalArgumentException ex) {
            this.workers.remove(name, where);
            throw new BatcherStartupException("Invalid @TaskWorker method " + where + ": " + ex.getMessage() + ".",
                    "Make it a public method whose parameters are the call's arguments (plus an optional "
                            + "TaskContext) and whose return value is the result.");
        }
        catch (IllegalStateException ex) {
            this.workers.remove(name, where);
            throw new BatcherStartupException("@TaskWorker method " + where + " cannot be registered: "
                    + ex.getMessage() + ".", "Rename the @TaskWorker task, or remove the other registration of '"
                    + name + "' from the TaskRegistry bean.");
        }
    }
}
