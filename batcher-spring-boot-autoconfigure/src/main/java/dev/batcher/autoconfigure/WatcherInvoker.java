package dev.batcher.autoconfigure;

import dev.batcher.cost.Operation;
import dev.batcher.cost.Watcher;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.springframework.beans.factory.BeanFactory;

/**
 * The {@link Watcher.Processor} of a {@link dev.batcher.spring.BatchWatcher} method: calls the method on its bean,
 * with the operations or their payloads. The bean is looked up lazily ({@link #bind()} at startup, or the first
 * batch), so that the batcher and the watcher handle can be injected into the watcher's own bean.
 *
 * @param <P> the payload type
 */
final class WatcherInvoker<P> implements Watcher.Processor<P> {

    private final WatcherMethod watcher;

    private final BeanMethodInvoker invoker;

    WatcherInvoker(BeanFactory beanFactory, WatcherMethod watcher) {
        this.watcher = watcher;
        this.invoker = new BeanMethodInvoker(beanFactory, watcher.beanName(), watcher.method());
    }

    /** Resolves the watcher bean now. */
    void bind() {
        this.invoker.bind();
    }

    @Override
    public void process(List<Operation<P>> operations) throws Exception {
        Object argument = operations;
        if (!this.watcher.takesOperations()) {
            List<P> payloads = new ArrayList<>(operations.size());
            operations.forEach(operation -> payloads.add(operation.payload()));
            argument = Collections.unmodifiableList(payloads);
        }
        this.invoker.invoke(argument);
    }
}
