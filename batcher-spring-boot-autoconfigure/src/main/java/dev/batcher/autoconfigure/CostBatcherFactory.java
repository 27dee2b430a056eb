package dev.batcher.autoconfigure;

import dev.batcher.DropHandler;
import dev.batcher.InvalidOptionException;
import dev.batcher.cost.Batcher;
import dev.batcher.cost.BatcherConfig;
import dev.batcher.cost.Operation;
import dev.batcher.cost.Watcher;
import dev.batcher.spring.CostBatchers;
import dev.batcher.spring.WatcherHandle;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;
import org.springframework.util.Assert;

/**
 * Builds every cost batcher of the starter, those of {@code @BatchWatcher} methods and those the application builds
 * through {@link CostBatchers}: the properties the configuration sets ({@code batcher.batchers.<name>.*}), the drain
 * timeout ({@code batcher.shutdown.timeout}), then the application's customizer; then it adds the drop summaries and
 * the observer (recent events, meters, health) and registers the batcher, which the lifecycle starts once the
 * application has started. An invalid option fails with an {@link InvalidBatcherPropertyException} naming the
 * property, its value and the fix.
 */
final class CostBatcherFactory implements CostBatchers {

    private final BatcherProperties properties;

    private final BeanFactory beanFactory;

    private final Environment environment;

    private final DefaultBatcherRegistry registry;

    private final ObjectProvider<SharedCapacityFactory> sharedCapacity;

    CostBatcherFactory(BatcherProperties properties, BeanFactory beanFactory, Environment environment,
            DefaultBatcherRegistry registry, ObjectProvider<SharedCapacityFactory> sharedCapacity) {
        this.properties = properties;
        this.beanFactory = beanFactory;
        this.environment = environment;
        this.registry = registry;
        this.sharedCapacity = sharedCapacity;
    }

    /** Creates the batcher of {@code @BatchWatcher} methods, with a handle per watcher. */
    Batcher create(String name, List<WatcherMethod> watchers) {
        String source = "@BatchWatcher methods " + watchers.stream()
                .map(watcher -> "'" + watcher.describe() + "' on bean '" + watcher.beanName() + "'").toList();
        Built built = create(name, null, source);
        List<WatcherInvoker<?>> invokers = new ArrayList<>();
        List<WatcherHandle<?>> handles = new ArrayList<>();
        try {
            for (WatcherMethod method : watchers) {
                WatcherInvoker<Object> invoker = new WatcherInvoker<>(this.beanFactory, method);
                invokers.add(invoker);
                Watcher<Object> watcher = method.limits(Watcher.of(built.observer.observe(invoker)));
                handles.add(new DefaultWatcherHandle<>(method.watcherName(), built.batcher, watcher));
            }
            this.registry.registerBatcher(built.batcher, built.observer, invokers, built.drops, source);
            for (int i = 0; i < handles.size(); i++) {
                WatcherMethod method = watchers.get(i);
                this.registry.registerWatcher(handles.get(i), "'" + method.describe() + "' on bean '"
                        + method.beanName() + "'");
            }
        }
        catch (RuntimeException ex) {
            built.batcher.shutdownNow();
            throw ex;
        }
        CostBatcherLogging.created(built.batcher, source);
        return built.batcher;
    }

    @Override
    public Batcher build(String name) {
        return build(name, null);
    }

    @Override
    public Batcher build(String name, Consumer<BatcherConfig.Builder> customizer) {
        String source = "CostBatchers.build(\"" + name + "\", ...)";
        Built built = create(name, customizer, source);
        try {
            this.registry.registerBatcher(built.batcher, built.observer, List.of(), built.drops, source);
        }
        catch (RuntimeException ex) {
            built.batcher.shutdownNow();
            throw ex;
        }
        CostBatcherLogging.created(built.batcher, source);
        return built.batcher;
    }

    @Override
    public <P> WatcherHandle<P> watcher(Batcher batcher, String name, Watcher<P> watcher) {
        Assert.notNull(batcher, "batcher must not be null");
        Assert.hasText(name, "name must not be blank");
        Assert.notNull(watcher, "watcher must not be null");
        BatcherObserver observer = this.registry.observer(batcher.name());
        Assert.state(observer != null, () -> "Batcher '" + batcher.name() + "' is not registered; build it with "
                + "CostBatchers.build");
        Watcher<P> observed = Watcher.<P>of(observer.observe(watcher::process))
                .withMaxBatchSize(watcher.maxBatchSize())
                .withMaxAttempts(watcher.maxAttempts())
                .withMaxOperationTime(watcher.maxOperationTime());
        WatcherHandle<P> handle = new DefaultWatcherHandle<>(name, batcher, observed);
        this.registry.registerWatcher(handle, "CostBatchers.watcher(" + batcher.name() + ", \"" + name + "\", ...)");
        return handle;
    }

    private Built create(String name, Consumer<BatcherConfig.Builder> customizer, String source) {
        Assert.hasText(name, "name must not be blank");
        this.registry.checkNameIsFree(name, source);
        CostBatcherSettings settings = CostBatcherSettings.bind(this.environment, name);
        BatcherConfig.Builder builder = BatcherConfig.builder();
        validated(settings, () -> {
            settings.applyTo(builder, this.sharedCapacity.getIfAvailable());
            return null;
        });
        builder.drainTimeout(this.properties.getShutdown().getTimeout());
        if (customizer != null) {
            customizer.accept(builder);
        }
        BatcherConfig configured = validated(settings, builder::build);
        DropHandler<Operation<?>> drops = new DropSummaryLogger<>("Batcher", "operation", name,
                configured.dropHandler(), CostBatcherLogging.logger::warn, System::nanoTime);
        BatcherConfig config = validated(settings, () -> BatcherConfig.from(configured).dropHandler(drops).build());
        Batcher batcher = validated(settings, () -> Batcher.create(name, config));
        BatcherObserver observer = new BatcherObserver(Clock.systemUTC());
        batcher.addListener(observer);
        return new Built(batcher, observer, (DropSummaryLogger<?>) drops);
    }

    private static <R> R validated(CostBatcherSettings settings, Supplier<R> action) {
        try {
            return action.get();
        }
        catch (InvalidOptionException ex) {
            throw InvalidBatcherPropertyException.of(settings, ex);
        }
    }

    private record Built(Batcher batcher, BatcherObserver observer, DropSummaryLogger<?> drops) {
    }

    /** The handle of one watcher. */
    private record DefaultWatcherHandle<P>(String name, Batcher batcher, Watcher<P> watcher)
            implements WatcherHandle<P> {

        @Override
        public String toString() {
            return "WatcherHandle[" + this.batcher.name() + "." + this.name + "]";
        }
    }
}
