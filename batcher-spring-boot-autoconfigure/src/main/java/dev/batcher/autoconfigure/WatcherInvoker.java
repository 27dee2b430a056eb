package dev.batcher.autoconfigure;

import dev.batcher.cost.Operation;
import dev.batcher.cost.Watcher;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.util.ReflectionUtils;

/**
 * The {@link Watcher.Processor} of a {@link dev.batcher.spring.BatchWatcher} method: calls the method on its bean,
 * with the operations or their payloads. The bean is looked up lazily ({@link #bind()} at startup, or the first
 * batch), so that the batcher and the watcher handle can be injected into the watcher's own bean.
 *
 * @param <P> the payload type
 */
final class WatcherInvoker<P> implements Watcher.Processor<P> {

    private final BeanFactory beanFactory;

    private final WatcherMethod watcher;

    private volatile Target target;

    WatcherInvoker(BeanFactory beanFactory, WatcherMethod watcher) {
        this.beanFactory = beanFactory;
        this.watcher = watcher;
    }

    /** Resolves the watcher bean now. */
    void bind() {
        target();
    }

    @Override
    public void process(List<Operation<P>> operations) throws Exception {
        Target target = target();
        Object argument = operations;
        if (!this.watcher.takesOperations()) {
            List<P> payloads = new ArrayList<>(operations.size());
            operations.forEach(operation -> payloads.add(operation.payload()));
            argument = Collections.unmodifiableList(payloads);
        }
        try {
            target.method.invoke(target.bean, argument);
        }
        catch (InvocationTargetException ex) {
            Throwable cause = ex.getTargetException();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new UndeclaredThrowableException(cause);
        }
    }

    private Target target() {
        Target target = this.target;
        if (target == null) {
            synchronized (this) {
                target = this.target;
                if (target == null) {
                    Object bean = this.beanFactory.getBean(this.watcher.beanName());
                    Method method = AopUtils.selectInvocableMethod(this.watcher.method(), bean.getClass());
                    ReflectionUtils.makeAccessible(method);
                    target = new Target(bean, method);
                    this.target = target;
                }
            }
        }
        return target;
    }

    private record Target(Object bean, Method method) {
    }
}
