package dev.batcher.autoconfigure;

import dev.batcher.BatchingEngine;
import dev.batcher.cost.Batcher;
import dev.batcher.dispatch.Dispatcher;
import dev.batcher.spring.BatcherRegistry;
import dev.batcher.spring.WatcherHandle;
import java.time.Clock;
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
import java.util.stream.Collectors;
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
 * <p>Cost batchers are registered the same way: those of {@code @BatchWatcher} methods and
 * {@link dev.batcher.spring.CostBatchers} on creation, {@code Batcher} beans of the application once all singletons
 * exist. Names are unique across both kinds, so that the endpoint and health can address an instance by name.
 *
 * <p>Once all singletons exist it also checks the configuration against what exists: a
 * {@code batcher.dispatchers.<name>} or {@code batcher.batchers.<name>} without an instance of that name, or one whose
 * instance was created by the application (so its properties could not be applied), fails startup.
 *
 * <p>Dispatchers created during startup are paused until {@link #start()} (called by {@link BatcherLifecycle}
 * before the web server starts), so that no sink is called before every singleton exists; items submitted meanwhile
 * are buffered. Batchers are created unstarted and started then. On destruction, a dispatcher that was not drained (failed startup, or a lifecycle timeout) is closed
 * at once, its items dropped with reason {@code shutdown}.
 */
final class DefaultBatcherRegistry implements BatcherRegistry, SmartInitializingSingleton, BeanFactoryAware,
        DisposableBean {

    private static final Log logger = LogFactory.getLog(DefaultBatcherRegistry.class);

    private final ObjectProvider<DispatcherInstrumentation> instrumentation;

    private final ObjectProvider<CostBatcherInstrumentation> batcherInstrumentation;

    private final Set<String> configuredNames;

    private final Set<String> configuredBatchers;

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private final Map<String, BatcherEntry> batchers = new LinkedHashMap<>();

    /** Engines of the other kinds (processors, coordinators, task queues), by name. */
    private final Map<String, EngineEntry> engines = new LinkedHashMap<>();

    private ConfigurableListableBeanFactory beanFactory;

    private boolean started;

    /**
     * Creates the registry.
     *
     * @param instrumentation the meters of dispatchers, when a meter registry exists
     * @param batcherInstrumentation the meters of batchers, when a meter registry exists
     * @param configuredNames the names under {@code batcher.dispatchers}
     * @param configuredBatchers the names under {@code batcher.batchers}
     */
    DefaultBatcherRegistry(ObjectProvider<DispatcherInstrumentation> instrumentation,
            ObjectProvider<CostBatcherInstrumentation> batcherInstrumentation, Set<String> configuredNames,
            Set<String> configuredBatchers) {
        this.instrumentation = instrumentation;
        this.batcherInstrumentation = batcherInstrumentation;
        this.configuredNames = configuredNames;
        this.configuredBatchers = configuredBatchers;
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
        BatcherEntry batcher = this.batchers.get(name);
        if (batcher != null) {
            throw new BatcherStartupException("Two instances are named '" + name + "': the batcher of "
                    + batcher.source + " and the one of " + source + ". The batchers endpoint and health address "
                    + "instances by name, so names are unique across dispatchers and batchers.",
                    "Give each a distinct name.");
        }
        EngineEntry engine = this.engines.get(name);
        if (engine != null) {
            throw new BatcherStartupException("Two instances are named '" + name + "': the " + engine.view.kind()
                    + " of " + engine.source + " and the one of " + source + ". The batchers endpoint and health "
                    + "address instances by name, so names are unique across every kind.",
                    "Give each a distinct name.");
        }
    }

    /**
     * Registers an engine of another kind than dispatcher and cost batcher (a resource processor, a coordinator, a
     * task queue); it is shown by the endpoint and health, started with {@link #start()} and drained by the
     * lifecycle.
     *
     * @param view how it is shown
     * @param source what built it, for messages
     */
    synchronized void registerEngine(EngineView view, String source) {
        checkNameIsFree(view.engine().name(), source);
        this.engines.put(view.engine().name(), new EngineEntry(view, source, new AtomicBoolean()));
        if (this.started) {
            view.start();
        }
    }

    /** Every instance as the endpoint and health show it: dispatchers, cost batchers, then the other kinds. */
    synchronized List<EngineView> views() {
        List<EngineView> views = new ArrayList<>();
        this.entries.values().forEach(entry -> views.add(entry.view));
        this.batchers.values().forEach(entry -> views.add(entry.view));
        this.engines.values().forEach(entry -> views.add(entry.view));
        return views;
    }

    /**
     * One instance as the endpoint and health show it.
     *
     * @param name its name
     * @return its view, or empty when unknown
     */
    synchronized Optional<EngineView> view(String name) {
        Entry entry = this.entries.get(name);
        if (entry != null) {
            return Optional.of(entry.view);
        }
        BatcherEntry batcher = this.batchers.get(name);
        if (batcher != null) {
            return Optional.of(batcher.view);
        }
        EngineEntry engine = this.engines.get(name);
        return Optional.ofNullable((engine != null) ? engine.view : null);
    }

    /** The engines of the other kinds, in registration order. */
    synchronized List<EngineView> otherEngines() {
        return this.engines.values().stream().map(EngineEntry::view).toList();
    }

    /** Called when an engine of another kind closed; safe to call more than once. */
    void engineClosed(String name) {
        EngineEntry entry;
        synchronized (this) {
            entry = this.engines.get(name);
        }
        if (entry != null && entry.closeLogged.compareAndSet(false, true)) {
            entry.view.closed();
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
        if (this.beanFactory != null) {
            for (String beanName : this.beanFactory.getBeanNamesForType(Batcher.class, false, false)) {
                if (this.beanFactory.containsSingleton(beanName)) {
                    addApplicationBatcher(beanName, this.beanFactory.getBean(beanName, Batcher.class));
                }
            }
        }
        checkConfiguredDispatchersExist();
        checkConfiguredBatchersExist();
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

    /**
     * Registers a batcher built by the starter and binds its meters; it is started with {@link #start()}.
     *
     * @param batcher the batcher, not started
     * @param observer its observer, already listening
     * @param invokers the invokers of its {@code @BatchWatcher} methods
     * @param drops its drop summaries
     * @param source what built it, for messages
     */
    synchronized void registerBatcher(Batcher batcher, BatcherObserver observer, List<WatcherInvoker<?>> invokers,
            DropSummaryLogger<?> drops, String source) {
        checkNameIsFree(batcher.name(), source);
        addBatcher(new BatcherEntry(batcher, observer, new LinkedHashMap<>(), List.copyOf(invokers), drops, source,
                new AtomicBoolean()));
        if (this.started && !batcher.isStarted() && !batcher.isClosed()) {
            batcher.start();
        }
    }

    private void addBatcher(BatcherEntry entry) {
        this.batchers.put(entry.batcher.name(), entry);
        CostBatcherInstrumentation instrumentation = this.batcherInstrumentation.getIfAvailable();
        if (instrumentation != null) {
            instrumentation.bind(entry.batcher, entry.observer);
        }
    }

    /**
     * Registers the handle of a watcher of a registered batcher.
     *
     * @param handle the handle
     * @param source what declared the watcher, for messages
     */
    synchronized void registerWatcher(WatcherHandle<?> handle, String source) {
        BatcherEntry entry = this.batchers.get(handle.batcher().name());
        if (entry == null) {
            throw new IllegalArgumentException("Batcher '" + handle.batcher().name() + "' of watcher '" + handle.name()
                    + "' is not registered; build it with the CostBatchers bean first");
        }
        WatcherHandle<?> existing = entry.watchers.putIfAbsent(handle.name(), handle);
        if (existing != null && existing != handle) {
            throw new BatcherStartupException("Two watchers of batcher '" + handle.batcher().name() + "' are named '"
                    + handle.name() + "'; the second is " + source + ".", "Give each watcher of a batcher a distinct "
                    + "name, such as @BatchWatcher(batcher = \"" + handle.batcher().name() + "\", name = \""
                    + handle.name() + "-2\").");
        }
    }

    /** The observer of a registered batcher, or {@code null}. */
    synchronized BatcherObserver observer(String name) {
        BatcherEntry entry = this.batchers.get(name);
        return (entry != null) ? entry.observer : null;
    }

    /** The watcher names of a registered batcher, in registration order. */
    synchronized List<String> watcherNames(String name) {
        BatcherEntry entry = this.batchers.get(name);
        return (entry != null) ? List.copyOf(entry.watchers.keySet()) : List.of();
    }

    private synchronized void addApplicationBatcher(String beanName, Batcher batcher) {
        BatcherEntry existing = this.batchers.get(batcher.name());
        if (existing != null && existing.batcher == batcher) {
            return;
        }
        String source = "Batcher bean '" + beanName + "'";
        if (this.configuredBatchers.contains(batcher.name())) {
            throw new BatcherStartupException(source + " (batcher '" + batcher.name() + "') was created with "
                    + "Batcher.create, so the properties batcher.batchers." + batcher.name()
                    + ".* cannot be applied to it.", "Build it with the CostBatchers bean, which applies them: "
                    + "'@Bean Batcher " + beanName + "(CostBatchers batchers) { return batchers.build(\""
                    + batcher.name() + "\"); }', or remove the properties.");
        }
        checkNameIsFree(batcher.name(), source);
        BatcherObserver observer = new BatcherObserver(Clock.systemUTC());
        batcher.addListener(observer);
        addBatcher(new BatcherEntry(batcher, observer, new LinkedHashMap<>(), List.of(), null, source,
                new AtomicBoolean()));
        CostBatcherLogging.created(batcher, source + ", created by the application (batcher.* properties do not "
                + "apply to it)");
    }

    private synchronized void checkConfiguredBatchersExist() {
        for (String name : this.configuredBatchers) {
            if (this.batchers.containsKey(name)) {
                continue;
            }
            String closest = closest(name, this.batchers.keySet());
            throw new BatcherStartupException("Batcher '" + name + "' is configured (batcher.batchers." + name
                    + ".*) but no bean has a @BatchWatcher(\"" + name + "\") method to process its operations, and "
                    + "the application built no batcher of that name." + ((closest != null)
                            ? " Did you mean '" + closest + "'? (batcher.batchers." + closest + ")" : ""),
                    "Add a watcher, such as '@BatchWatcher(\"" + name + "\") void process(List<YourPayload> "
                            + "payloads)' on a bean (a @Bean method must declare the class holding it as its return "
                            + "type), build the batcher with the CostBatchers bean, or remove the properties.");
        }
    }

    private synchronized void checkConfiguredDispatchersExist() {
        for (String name : this.configuredNames) {
            if (this.entries.containsKey(name)) {
                continue;
            }
            String closest = closest(name, this.entries.keySet());
            throw new BatcherStartupException("Dispatcher '" + name + "' is configured (batcher.dispatchers." + name
                    + ".*) but no bean has a @BatchSink(\"" + name + "\") method to send its batches, and the "
                    + "application built no dispatcher of that name." + ((closest != null)
                            ? " Did you mean '" + closest + "'? (batcher.dispatchers." + closest + ")" : ""),
                    "Add a sink, such as '@BatchSink(\"" + name + "\") void send(List<YourItem> items)' on a bean "
                            + "(a @Bean method must declare the class holding it as its return type), build the "
                            + "dispatcher with the BatcherDispatchers bean, or remove the properties.");
        }
    }

    private static String closest(String name, Set<String> names) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : names) {
            int distance = BatcherPropertyNames.distance(name, known);
            if (distance < bestDistance) {
                best = known;
                bestDistance = distance;
            }
        }
        return (best != null && bestDistance <= Math.max(2, name.length() / 3)) ? best : null;
    }

    /** Binds every sink and watcher, resumes the dispatchers paused during startup and starts the batchers. */
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
        for (BatcherEntry entry : this.batchers.values()) {
            entry.invokers.forEach(WatcherInvoker::bind);
            if (!entry.batcher.isStarted() && !entry.batcher.isClosed()) {
                entry.batcher.start();
            }
        }
        this.engines.values().forEach(entry -> entry.view.start());
    }

    /**
     * Called when a batcher closed: its meters go, the drops not summed up yet are logged, and what it processed and
     * dropped is logged. Safe to call more than once.
     */
    void batcherClosed(String name) {
        CostBatcherInstrumentation instrumentation = this.batcherInstrumentation.getIfAvailable();
        if (instrumentation != null) {
            instrumentation.unbind(name);
        }
        BatcherEntry entry;
        synchronized (this) {
            entry = this.batchers.get(name);
        }
        if (entry != null && entry.closeLogged.compareAndSet(false, true)) {
            if (entry.drops != null) {
                entry.drops.flush();
            }
            CostBatcherLogging.drained(entry.batcher.stats());
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
        Set<String> names = new LinkedHashSet<>(this.entries.keySet());
        names.addAll(this.batchers.keySet());
        names.addAll(this.engines.keySet());
        return names;
    }

    @Override
    public synchronized Collection<Batcher> batchers() {
        List<Batcher> batchers = new ArrayList<>(this.batchers.size());
        this.batchers.values().forEach(entry -> batchers.add(entry.batcher));
        return batchers;
    }

    @Override
    public synchronized Optional<Batcher> findBatcher(String name) {
        BatcherEntry entry = this.batchers.get(name);
        return Optional.ofNullable((entry != null) ? entry.batcher : null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized <P> WatcherHandle<P> watcher(String batcher, String watcher) {
        BatcherEntry entry = this.batchers.get(batcher);
        if (entry == null) {
            throw new IllegalArgumentException("No batcher named '" + batcher + "'; known batchers: "
                    + this.batchers.keySet());
        }
        WatcherHandle<?> handle = entry.watchers.get(watcher);
        if (handle == null) {
            throw new IllegalArgumentException("Batcher '" + batcher + "' has no watcher named '" + watcher
                    + "'; its watchers: " + entry.watchers.keySet().stream().collect(Collectors.joining(", ", "[",
                            "]")));
        }
        return (WatcherHandle<P>) handle;
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
        for (Batcher batcher : batchers()) {
            if (!batcher.isClosed()) {
                logger.debug("Closing batcher '" + batcher.name() + "' that was not drained on shutdown");
                try {
                    batcher.close(Duration.ZERO);
                }
                catch (RuntimeException ex) {
                    logger.warn("Failed to close batcher '" + batcher.name() + "'", ex);
                }
            }
            batcherClosed(batcher.name());
        }
        for (EngineView view : otherEngines()) {
            BatchingEngine engine = view.engine();
            if (!engine.isClosed()) {
                logger.debug("Closing " + view.kind() + " '" + engine.name() + "' that was not drained on shutdown");
                try {
                    engine.close(Duration.ZERO);
                }
                catch (RuntimeException ex) {
                    logger.warn("Failed to close " + view.kind() + " '" + engine.name() + "'", ex);
                }
            }
            engineClosed(engine.name());
        }
    }

    @Override
    public synchronized Collection<BatchingEngine> engines() {
        return views().stream().map(EngineView::engine).toList();
    }

    @Override
    public <E extends BatchingEngine> Optional<E> find(String name, Class<E> type) {
        return view(name).map(EngineView::engine).filter(type::isInstance).map(type::cast);
    }

    private record BatcherEntry(Batcher batcher, BatcherObserver observer, Map<String, WatcherHandle<?>> watchers,
            List<WatcherInvoker<?>> invokers, DropSummaryLogger<?> drops, String source, AtomicBoolean closeLogged,
            EngineView view) {

        BatcherEntry(Batcher batcher, BatcherObserver observer, Map<String, WatcherHandle<?>> watchers,
                List<WatcherInvoker<?>> invokers, DropSummaryLogger<?> drops, String source,
                AtomicBoolean closeLogged) {
            this(batcher, observer, watchers, invokers, drops, source, closeLogged,
                    new CostBatcherView(batcher, observer, () -> List.copyOf(watchers.keySet())));
        }
    }

    private record Entry(Dispatcher<?> dispatcher, SinkInvoker<?> sender, DropSummaryLogger<?> drops, String source,
            boolean pausedUntilStart, AtomicBoolean closeLogged, EngineView view) {

        Entry(Dispatcher<?> dispatcher, SinkInvoker<?> sender, DropSummaryLogger<?> drops, String source,
                boolean pausedUntilStart, AtomicBoolean closeLogged) {
            this(dispatcher, sender, drops, source, pausedUntilStart, closeLogged, new DispatcherView(dispatcher));
        }
    }

    private record EngineEntry(EngineView view, String source, AtomicBoolean closeLogged) {
    }
}
