package dev.batcher.autoconfigure;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.util.ReflectionUtils;

/**
 * Calls an annotated method (a {@code @BatchSink}, a {@code @BatchWatcher} or a {@code @BatchCommit}) on its bean. The bean is looked up
 * lazily ({@link #bind()} at startup, or the first call), so that the engine can be injected into the method's own
 * bean and into beans created before it; the method is resolved on the bean's class behind proxies. What the method
 * throws is rethrown as it is.
 */
final class BeanMethodInvoker {

    private final BeanFactory beanFactory;

    private final String beanName;

    private final Method method;

    private volatile Target target;

    BeanMethodInvoker(BeanFactory beanFactory, String beanName, Method method) {
        this.beanFactory = beanFactory;
        this.beanName = beanName;
        this.method = method;
    }

    /** Resolves the bean now. */
    void bind() {
        target();
    }

    /** Calls the method with its one argument. */
    void invoke(Object argument) throws Exception {
        call(argument);
    }

    /**
     * Calls the method with its arguments.
     *
     * @param arguments the arguments
     * @return what the method returned ({@code null} for {@code void})
     * @throws Exception what the method threw, as it threw it
     */
    Object call(Object... arguments) throws Exception {
        Target target = target();
        try {
            return target.method.invoke(target.bean, arguments);
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
                    Object bean = this.beanFactory.getBean(this.beanName);
                    Method invocable = AopUtils.selectInvocableMethod(this.method, bean.getClass());
                    ReflectionUtils.makeAccessible(invocable);
                    target = new Target(bean, invocable);
                    this.target = target;
                }
            }
        }
        return target;
    }

    private record Target(Object bean, Method method) {
    }
}
