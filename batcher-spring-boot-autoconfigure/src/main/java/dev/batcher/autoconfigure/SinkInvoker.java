package dev.batcher.autoconfigure;

import dev.batcher.Batch;
import dev.batcher.dispatch.BatchSender;
import org.springframework.beans.factory.BeanFactory;

/**
 * The {@link BatchSender} of an auto-configured dispatcher: calls the {@code @BatchSink} method on its bean. The
 * bean is looked up lazily ({@link #bind()} at startup, or the first send), so that the dispatcher can be injected
 * into the sink's own bean and into beans created before it.
 *
 * @param <T> the item type
 */
final class SinkInvoker<T> implements BatchSender<T> {

    private final SinkMethod sink;

    private final BeanMethodInvoker invoker;

    SinkInvoker(BeanFactory beanFactory, SinkMethod sink) {
        this.sink = sink;
        this.invoker = new BeanMethodInvoker(beanFactory, sink.beanName(), sink.method());
    }

    SinkMethod sink() {
        return this.sink;
    }

    /** Resolves the sink bean now. */
    void bind() {
        this.invoker.bind();
    }

    @Override
    public void send(Batch<T> batch) throws Exception {
        this.invoker.invoke(this.sink.takesBatch() ? batch : batch.items());
    }
}
