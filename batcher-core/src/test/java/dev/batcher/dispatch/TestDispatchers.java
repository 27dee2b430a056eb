package dev.batcher.dispatch;

import dev.batcher.time.ManualScheduler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The fixture of the dispatcher tests: a manual clock, and every dispatcher a test creates through
 * {@link #create} shut down after the test, whatever it left running.
 */
final class TestDispatchers implements AfterEachCallback {

    /** A clock the test moves by hand; pass it with {@code scheduler(clock)}. */
    final ManualScheduler clock = new ManualScheduler();

    private final List<Dispatcher<?>> created = new CopyOnWriteArrayList<>();

    <T> Dispatcher<T> create(String name, DispatcherConfig<T> config, BatchSender<T> sender) {
        Dispatcher<T> dispatcher = Dispatcher.create(name, config, sender);
        created.add(dispatcher);
        if (config.scheduler() == clock) {
            clock.beforeAdvance(((BufferedDispatcher<T>) dispatcher)::syncIntake);
        }
        return dispatcher;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        created.forEach(Dispatcher::shutdownNow);
    }
}
