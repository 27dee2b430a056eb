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
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * The {@link BatcherRegistry}: dispatchers built by the starter ({@code @BatchSink} methods and
 * {@link dev.batcher.spring.BatcherDispatchers}) register themselves on creation; {@code Dispatcher} beans the
 * application created with {@code Dispatcher.create} are added once all singletons exist.
 *
 * <p>Once all singletons exist it also checks the configuration against what exists: a
 * {@code batcher.dispatchers.<name>} without a dispatcher of that name, or one whose dispatcher was created with
 * {@code Dispatcher.create} (so its properties could not be applied), fails startup.
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

    private final Set<String> configuredNames;

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private ConfigurableListableBeanFactory beanFactory;

    private boolean started;

    /**
     * Creates the registry.
     *
     * @param instrumentation the meters, when a meter registry exists
     * @param configuredNames the names under {@code batcher.dispatchers}
     */
    DefaultBatcherRegistry(ObjectProvider<DispatcherInstrumentation> instrumentation, Set<String> configuredNames) {
        this.instrumentation = instrumentation;
        this.configuredNames = configuredNames;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = (beanFactory instanceof ConfigurableListableBeanFactory factory) ? factory : null;
    }

    DispatcherInstrumentation instrumentation() {
        return this.instrumentation.getIfAvailable();
    }

    /**
     * Fails when a dispatcher of this name exists already.
     *
     * @param name the name of a dispatcher about to be created
     * @param source what creates it, for the message
     */
    synchronized void checkNameIsFree(String name, String source) {
        Entry existing = this.entries.get(name);
        if (existing != null) {
            throw new BatcherStartupException("Two dispatchers are named '" + name + "': the one of "
                    + existing.source + " and the one of " + source + ".", "Give each a distinct name.");
        }
    }

    /**
     * Registers a dispatcher built by the starter, binds its meters and logs its options; pauses it until
     * {@link #start()}.
     */
    synchronized void register(Dispatcher<?> dispatcher, SinkInvoker<?> sender, DropSummaryLogger<?> drops,
            String source) {
        checkNameIsFree(dispatcher.name(), source);
        boolean pause = !this.started;
        if (pause) {
            dispatcher.pause();
        }
        add(new Entry(dispatcher, sender, drops, source, pause, new AtomicBoolean()));
        DispatcherLogging.created(dispatcher, source);
    }

    private void add(Entry entry) {
        this.entries.put(entry.dispatcher.name(), entry);
        DispatcherInstrumentation instrumentation = instrumentation();
        if (instrumentation != null) {
            instrumentation.bind(entry.dispatcher);
        }
    }

    /**
     * Adds the application's own {@code Dispatcher} singletons, then checks that every configured dispatcher
     * exists and received its properties.
     */
    @Override
    public void afterSingletonsInstantiated() {
        if (this.beanFactory != null) {
            for (String beanName : this.beanFactory.getBeanNamesForType(Dispatcher.class, false, false)) {
                if (this.beanFactory.containsSingleton(beanName)) {
                    addApplicationDispatcher(beanName, this.beanFactory.getBean(beanName, Dispatcher.class));
                }
            }
        }
        checkConfiguredDispatchersExist();
    }

    private synchronized void addApplicationDispatcher(String beanName, Dispatcher<?> dispatcher) {
        Entry existing = this.entries.get(dispatcher.name());
        if (existing != null && existing.dispatcher == dispatcher) {
            return;
        }
        String source = "Dispatcher bean '" + beanName + "'";
        if (this.configuredNames.contains(dispatcher.name())) {
            throw new BatcherStartupException(source + " (dispatcher '" + dispatcher.name() + "') was created with "
                    + "Dispatcher.create, so the properties batcher.dispatchers." + dispatcher.name()
                    + ".* cannot be applied to it.", "Build it with the BatcherDispatchers bean, which applies them: "
                    + "'@Bean Dispatcher<YourItem> " + beanName + "(BatcherDispatchers dispatchers) { return "
                    + "dispatchers.build(\"" + dispatcher.name() + "\", YourItem.class, sender); }', or remove the "
                    + "properties.");
        }
        checkNameIsFree(dispatcher.name(), source);
        add(new Entry(dispatcher, null, null, source, false, new AtomicBoolean()));
        DispatcherLogging.created(dispatcher, source + ", created by the application (batcher.* properties do not "
                + "apply to it)");
    }

    private synchronized void checkConfiguredDispatchersExist() {
        for (String name : this.configuredNames) {
            if (this.entries.containsKey(name)) {
                continue;
            }
            String closest = closest(name);
            throw new BatcherStartupException("Dispatcher '" + name + "' is configured (batcher.dispatchers." + name
                    + ".*) but no bean has a @BatchSink(\"" + name + "\") method to send its batches, and the "
                    + "application built no dispatcher of that name." + ((closest != null)
                            ? " Did you mean '" + closest + "'? (batcher.dispatchers." + closest + ")" : ""),
                    "Add a sink, such as '@BatchSink(\"" + name + "\") void send(List<YourItem> items)' on a bean "
                            + "(a @Bean method must declare the class holding it as its return type), build the "
                            + "dispatcher with the BatcherDispatchers bean, or remove the properties.");
        }
    }

    private String closest(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : this.entries.keySet()) {
            int distance = BatcherPropertyNames.distance(name, known);
            if (distance < bestDistance) {
                best = known;
                bestDistance = distance;
            }
        }
        return (best != null && bestDistance <= Math.max(2, name.length() / 3)) ? best : null;
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

    /**
     * Called when a dispatcher closed: its meters go, the drops not summed up yet are logged, and what it sent and
     * dropped is logged. Safe to call more than once.
     */
    void closed(String name) {
        DispatcherInstrumentation instrumentation = instrumentation();
        if (instrumentation != null) {
            instrumentation.unbind(name);
        }
        Entry entry;
        synchronized (this) {
            entry = this.entries.get(name);
        }
        if (entry != null && entry.closeLogged.compareAndSet(false, true)) {
            if (entry.drops != null) {
                entry.drops.flush();
            }
            DispatcherLogging.drained(entry.dispatcher.stats());
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

    private record Entry(Dispatcher<?> dispatcher, SinkInvoker<?> sender, DropSummaryLogger<?> drops, String source,
            boolean pausedUntilStart, AtomicBoolean closeLogged) {
    }
}
