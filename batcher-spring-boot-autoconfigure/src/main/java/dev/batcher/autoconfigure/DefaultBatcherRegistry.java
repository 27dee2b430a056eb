package dev.batcher.autoconfigure;

import dev.batcher.dispatch.Dispatcher;
import dev.batcher.spring.BatcherRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * The {@link BatcherRegistry}: dispatchers created for {@code @BatchSink} methods register themselves on creation,
 * {@code Dispatcher} beans of the application are added once all singletons exist.
 *
 * <p>Dispatchers created during startup are paused until {@link #start()} (called by {@link BatcherLifecycle}
 * before the web server starts), so that no sink is called before every singleton exists; items submitted meanwhile
 * are buffered. On destruction, a dispatcher that was not drained (failed startup, or a lifecycle timeout) is closed
 * at once, its items dropped with reason {@code shutdown}.
 */
final class DefaultBatcherRegistry implements BatcherRegistry, SmartInitializingSingleton, BeanFactoryAware,
        DisposableBean {

    private static final Log logger = LogFactory.getLog(DefaultBatcherRegistry.class);

    private final ObjectProvider<DispatcherInstrumentation> instrumentation;

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private ConfigurableListableBeanFactory beanFactory;

    private boolean started;

    DefaultBatcherRegistry(ObjectProvider<DispatcherInstrumentation> instrumentation) {
        this.instrumentation = instrumentation;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = (beanFactory instanceof ConfigurableListableBeanFactory factory) ? factory : null;
    }

    DispatcherInstrumentation instrumentation() {
        return this.instrumentation.getIfAvailable();
    }

    /** Registers an auto-configured dispatcher and binds its meters; pauses it until {@link #start()}. */
    synchronized void register(Dispatcher<?> dispatcher, SinkInvoker<?> sender) {
        boolean pause = !this.started;
        if (pause) {
            dispatcher.pause();
        }
        add(new Entry(dispatcher, sender, pause));
    }

    private void add(Entry entry) {
        String name = entry.dispatcher.name();
        if (this.entries.containsKey(name)) {
            throw new IllegalStateException("Two dispatchers are named '" + name + "'; give each a distinct name");
        }
        this.entries.put(name, entry);
        DispatcherInstrumentation instrumentation = instrumentation();
        if (instrumentation != null) {
            instrumentation.bind(entry.dispatcher);
        }
    }

    /** Adds the application's own {@code Dispatcher} singletons. */
    @Override
    public void afterSingletonsInstantiated() {
        if (this.beanFactory == null) {
            return;
        }
        for (String beanName : this.beanFactory.getBeanNamesForType(Dispatcher.class, false, false)) {
            if (this.beanFactory.containsSingleton(beanName)) {
                Dispatcher<?> dispatcher = this.beanFactory.getBean(beanName, Dispatcher.class);
                synchronized (this) {
                    if (!this.entries.containsKey(dispatcher.name())) {
                        add(new Entry(dispatcher, null, false));
                    }
                }
            }
        }
    }

    /** Binds every sink and resumes the dispatchers paused during startup. */
    synchronized void start() {
        this.started = true;
        for (Entry entry : this.entries.values()) {
            if (entry.sender != null) {
                entry.sender.bind();
            }
            if (entry.pausedUntilStart && !entry.dispatcher.isClosed()) {
                entry.dispatcher.resume();
            }
        }
    }

    /** Called when a dispatcher closed and drained: its meters go. */
    void closed(String name) {
        DispatcherInstrumentation instrumentation = instrumentation();
        if (instrumentation != null) {
            instrumentation.unbind(name);
        }
    }

    @Override
    public synchronized Set<String> names() {
        return new LinkedHashSet<>(this.entries.keySet());
    }

    @Override
    public synchronized Collection<Dispatcher<?>> dispatchers() {
        List<Dispatcher<?>> dispatchers = new ArrayList<>(this.entries.size());
        this.entries.values().forEach(entry -> dispatchers.add(entry.dispatcher));
        return dispatchers;
    }

    @Override
    public synchronized Optional<Dispatcher<?>> find(String name) {
        Entry entry = this.entries.get(name);
        return Optional.ofNullable(entry != null ? entry.dispatcher : null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> Dispatcher<T> dispatcher(String name) {
        return (Dispatcher<T>) find(name).orElseThrow(() -> new IllegalArgumentException(
                "No dispatcher named '" + name + "'; known dispatchers: " + names()));
    }

    @Override
    public void destroy() {
        for (Dispatcher<?> dispatcher : dispatchers()) {
            if (!dispatcher.isDrained()) {
                logger.debug("Closing dispatcher '" + dispatcher.name() + "' that was not drained on shutdown");
                try {
                    dispatcher.close(Duration.ZERO);
                }
                catch (RuntimeException ex) {
                    logger.warn("Failed to close dispatcher '" + dispatcher.name() + "'", ex);
                }
            }
            closed(dispatcher.name());
        }
    }

    private record Entry(Dispatcher<?> dispatcher, SinkInvoker<?> sender, boolean pausedUntilStart) {
    }
}
