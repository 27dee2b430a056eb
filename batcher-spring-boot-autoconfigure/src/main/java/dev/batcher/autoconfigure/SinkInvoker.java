package dev.batcher.autoconfigure;

import dev.batcher.Batch;
import dev.batcher.dispatch.BatchSender;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.util.ReflectionUtils;

/**
 * The {@link BatchSender} of an auto-configured dispatcher: calls the {@code @BatchSink} method on its bean. The
 * bean is looked up lazily ({@link #bind()} at startup, or the first send), so that the dispatcher can be injected
 * into the sink's own bean and into beans created before it.
 *
 * @param <T> the item type
 */
final class SinkInvoker<T> implements BatchSender<T> {

    private final BeanFactory beanFactory;

    private final SinkMethod sink;

    private volatile Target target;

    SinkInvoker(BeanFactory beanFactory, SinkMethod sink) {
        this.beanFactory = beanFactory;
        this.sink = sink;
    }

    SinkMethod sink() {
        return this.sink;
    }

    /** Resolves the sink bean now. */
    void bind() {
        target();
    }

    @Override
    public void send(Batch<T> batch) throws Exception {
        Target target = target();
        Object argument = this.sink.takesBatch() ? batch : batch.items();
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
                    Object bean = this.beanFactory.getBean(this.sink.beanName());
                    Method method = AopUtils.selectInvocableMethod(this.sink.method(), bean.getClass());
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
