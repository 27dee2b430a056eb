package dev.batcher.cost;

import dev.batcher.time.ManualScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The fixture of the batcher tests: a manual clock, an event recorder per batcher, and every batcher a test creates
 * shut down after the test, whatever it left running.
 */
final class TestBatchers implements AfterEachCallback {

    /** A clock the test moves by hand; {@link #options()} passes it. */
    final ManualScheduler clock = new ManualScheduler();

    private final List<Batcher> created = new CopyOnWriteArrayList<>();

    /** Options on the manual clock. */
    BatcherConfig.Builder options() {
        return BatcherConfig.builder().scheduler(clock);
    }

    Batcher create(String name, BatcherConfig config) {
        Batcher batcher = Batcher.create(name, config);
        created.add(batcher);
        if (config.scheduler() == clock) {
            clock.beforeAdvance(((CostBatcher) batcher)::syncIntake);
        }
        return batcher;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        created.forEach(Batcher::shutdownNow);
    }

    /** The payloads of a batch, in order. */
    static <P> List<P> payloads(List<Operation<P>> operations) {
        List<P> payloads = new ArrayList<>(operations.size());
        operations.forEach(op -> payloads.add(op.payload()));
        return payloads;
    }

    /** Records a batcher's events. */
    static final class Recorder implements BatcherListener {

        final List<BatcherEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(BatcherEvent event) {
            events.add(event);
        }

        List<String> names() {
            return events.stream().map(BatcherEvent::name).toList();
        }

        /** The names of the events whose name starts with {@code prefix}, in order. */
        List<String> names(String prefix) {
            return names().stream().filter(n -> n.startsWith(prefix)).toList();
        }

        long count(String name) {
            return events.stream().filter(e -> e.name().equals(name)).count();
        }

        List<Long> values(String name) {
            return events.stream().filter(e -> e.name().equals(name)).map(BatcherEvent::value).toList();
        }
    }

    /** A watcher that records the payloads of every batch it processes. */
    static final class Batches<P> {

        final List<List<P>> batches = new CopyOnWriteArrayList<>();
        final Watcher<P> watcher = Watcher.of(ops -> batches.add(payloads(ops)));

        List<Integer> sizes() {
            return batches.stream().map(List::size).toList();
        }
    }
}
