package dev.batcher.sample;

import dev.batcher.BufferFullException;
import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherConfig;
import dev.batcher.dispatch.DispatcherStats;
import dev.batcher.DropReason;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The built-in demo load, run once at startup unless {@code demo.events=0}.
 *
 * <p>After an unmeasured warm-up of both paths (so that neither is timed with a cold JIT), it submits
 * {@code demo.events} events to dispatcher {@code events} from {@code demo.producers} threads, the same
 * path {@code POST /events} takes, draws a progress bar while they are stored, and prints events per second, the
 * number of batches and the mean batch size (from the dispatcher's stats). Then it inserts up to
 * {@code demo.one-by-one-sample} events one row per {@code INSERT}, the way code without batching does, from the same
 * number of threads, deletes those comparison rows again, and prints the speed-up. The app keeps serving afterwards.
 */
@Component
@Order(1)
public class DemoLoad implements ApplicationRunner {

    /** The {@code type} of the rows the one-by-one comparison inserts (and deletes afterwards). */
    static final String ONE_BY_ONE_TYPE = "demo-one-by-one";

    /** The {@code type} of the warm-up rows (deleted before measuring). */
    static final String WARM_UP_TYPE = "demo-warm-up";

    /** At most this many events go through each path, unmeasured, so that neither is timed with a cold JIT. */
    static final int WARM_UP_EVENTS = 10_000;

    private static final Logger log = LoggerFactory.getLogger(DemoLoad.class);

    private static final String[] TYPES = {"click", "view", "scroll", "purchase"};

    private static final int BAR_WIDTH = 40;

    private final Dispatcher<Event> dispatcher;

    private final EventRepository repository;

    private final DemoProperties properties;

    private final Environment environment;

    private final PrintStream out = System.out;

    /**
     * Creates the demo.
     *
     * @param dispatcher dispatcher {@code events}
     * @param repository for the one-by-one comparison
     * @param properties the {@code demo.*} settings
     * @param environment to print the port the app serves on
     */
    public DemoLoad(@Qualifier("events") Dispatcher<Event> dispatcher, EventRepository repository,
            DemoProperties properties, Environment environment) {
        this.dispatcher = dispatcher;
        this.repository = repository;
        this.properties = properties;
        this.environment = environment;
    }

    @Override
    public void run(ApplicationArguments args) throws InterruptedException {
        int events = properties.events();
        if (events == 0) {
            log.info("Demo load is off (demo.events=0)");
            return;
        }
        DispatcherConfig<Event> config = dispatcher.config();
        out.printf(Locale.ROOT, "%nBatcher demo: %,d events -> dispatcher '%s' -> JDBC batch insert into table events"
                        + "%n  %d producer threads; max-batch-items %d, max-batch-age %s, max-concurrent-sends %d%n",
                events, dispatcher.name(), properties.producers(), config.maxBatchItems(),
                format(config.maxBatchAge()), config.maxConcurrentSends());

        int sample = Math.min(events, properties.oneByOneSample());
        int warmUp = Math.min(events, WARM_UP_EVENTS);
        out.printf(Locale.ROOT, "Warm-up: %,d events each way, not measured%n", warmUp);
        if (runBatched(warmUp, WARM_UP_TYPE, null) == null
                || (sample > 0 && insertOneByOne(Math.min(warmUp, sample), WARM_UP_TYPE) < 0)) {
            return;
        }
        repository.deleteByType(WARM_UP_TYPE);

        Batched batched = runBatched(events, null, new ProgressBar(out, events, BAR_WIDTH));
        if (batched == null) {
            return;
        }
        double batchedRate = rate(batched.stored, batched.nanos);
        out.printf(Locale.ROOT, "Batched:    %,d events stored in %s = %,.0f events/s%n", batched.stored,
                seconds(batched.nanos), batchedRate);
        out.printf(Locale.ROOT, "            %,d batches, mean batch size %.1f events%n", batched.batches,
                batched.batches == 0 ? 0.0 : (double) batched.sentItems / batched.batches);
        if (batched.dropped > 0) {
            out.printf(Locale.ROOT, "            %,d events dropped (by reason, since startup: %s)%n", batched.dropped,
                    batched.droppedByReason);
        }

        if (sample > 0) {
            compareOneByOne(events, sample, batchedRate);
        }
        out.printf(Locale.ROOT, "Demo done. Still serving: curl -X POST localhost:%s/events -H 'Content-Type: "
                + "application/json' -d '{\"type\":\"click\",\"payload\":\"hi\"}'%n%n",
                environment.getProperty("local.server.port", environment.getProperty("server.port", "8080")));
    }

    /**
     * Pushes events through the dispatcher and waits until each was stored or dropped.
     *
     * @param events how many
     * @param type the type of every event, or {@code null} for a mix of demo types
     * @param bar where to show progress, or {@code null}
     * @return the outcome, or {@code null} when the app shut down meanwhile or the demo timed out
     */
    private Batched runBatched(int events, String type, ProgressBar bar) throws InterruptedException {
        DispatcherStats before = dispatcher.stats();
        CountDownLatch settled = new CountDownLatch(events);
        LongAdder stored = new LongAdder();
        LongAdder dropped = new LongAdder();
        AtomicBoolean closed = new AtomicBoolean();
        AtomicInteger next = new AtomicInteger();

        long start = System.nanoTime();
        ExecutorService producers = Executors.newFixedThreadPool(properties.producers(), named("demo-producer"));
        ScheduledExecutorService painter = Executors.newSingleThreadScheduledExecutor(named("demo-progress"));
        if (bar != null) {
            painter.scheduleAtFixedRate(() -> bar.update(stored.sum(), progress(stored.sum(), events, start)),
                    0, 200, TimeUnit.MILLISECONDS);
        }
        try {
            for (int p = 0; p < properties.producers(); p++) {
                producers.execute(() -> produce(events, type, next, settled, stored, dropped, closed));
            }
            boolean done = settled.await(properties.timeout().toMillis(), TimeUnit.MILLISECONDS);
            long nanos = System.nanoTime() - start;
            stopPainter(painter);
            if (bar != null) {
                bar.finish(stored.sum(), progress(stored.sum(), events, start));
            }
            if (closed.get()) {
                out.println("Demo stopped: the application is shutting down.");
                return null;
            }
            if (!done) {
                out.printf(Locale.ROOT, "Demo gave up after demo.timeout=%s with %,d of %,d events stored; "
                        + "see /actuator/batchers/events%n", format(properties.timeout()), stored.sum(), events);
                return null;
            }
            DispatcherStats after = dispatcher.stats();
            return new Batched(stored.sum(), dropped.sum(), nanos, after.sentBatches() - before.sentBatches(),
                    after.sent() - before.sent(), after.droppedByReason());
        } finally {
            stopPainter(painter);
            producers.shutdownNow();
        }
    }

    private void produce(int events, String type, AtomicInteger next, CountDownLatch settled, LongAdder stored,
            LongAdder dropped, AtomicBoolean closed) {
        for (int i = next.getAndIncrement(); i < events; i = next.getAndIncrement()) {
            Event event = new Event(type != null ? type : TYPES[i % TYPES.length], "demo event #" + i, Instant.now());
            try {
                dispatcher.submit(event).whenComplete((ok, error) -> {
                    if (error == null) {
                        stored.increment();
                    } else {
                        dropped.increment();
                        log.debug("Demo event dropped: {}", error.getMessage());
                    }
                    settled.countDown();
                });
            } catch (BufferFullException e) {
                // The buffer stayed full for buffer.block-timeout: the sink is stalled. Counted as dropped.
                dropped.increment();
                settled.countDown();
            } catch (IllegalStateException e) {
                // Closed: the app is shutting down. Stop, and release the waiting main thread.
                closed.set(true);
                while (settled.getCount() > 0) {
                    settled.countDown();
                }
                return;
            }
        }
    }

    private void compareOneByOne(int events, int sample, double batchedRate) throws InterruptedException {
        long nanos = insertOneByOne(sample, ONE_BY_ONE_TYPE);
        if (nanos < 0) {
            return;
        }
        int threads = Math.min(properties.producers(), sample);
        double oneByOneRate = rate(sample, nanos);
        out.printf(Locale.ROOT, "One by one: %,d events inserted with one INSERT each (autocommit, %d threads) in %s"
                + " = %,.0f events/s%n", sample, threads, seconds(nanos), oneByOneRate);
        if (sample < events) {
            out.printf(Locale.ROOT, "            all %,d events one by one: about %s (extrapolated from %,d)%n",
                    events, seconds((long) (events / oneByOneRate * 1e9)), sample);
        }
        out.printf(Locale.ROOT, "Speed-up:   batched events/s / one-by-one events/s = %.1fx%n",
                batchedRate / oneByOneRate);
        int deleted = repository.deleteByType(ONE_BY_ONE_TYPE);
        log.debug("Deleted {} one-by-one comparison rows", deleted);
    }

    /**
     * Inserts events one row per {@code INSERT} from {@code demo.producers} threads.
     *
     * @return the time it took in nanoseconds, or -1 when an insert failed (reported on the console)
     */
    private long insertOneByOne(int count, String type) throws InterruptedException {
        int threads = Math.min(properties.producers(), count);
        AtomicInteger next = new AtomicInteger();
        ExecutorService inserters = Executors.newFixedThreadPool(threads, named("demo-one-by-one"));
        long start = System.nanoTime();
        List<Future<?>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            results.add(inserters.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    repository.insertOne(new Event(type, "demo event #" + i, Instant.now()));
                }
            }));
        }
        try {
            for (Future<?> result : results) {
                result.get();
            }
            return System.nanoTime() - start;
        } catch (ExecutionException e) {
            out.println("One-by-one insert failed: " + e.getCause());
            return -1;
        } finally {
            inserters.shutdownNow();
        }
    }

    private static String progress(long stored, int events, long start) {
        return String.format(Locale.ROOT, "%,d/%,d stored  %s", stored, events, seconds(System.nanoTime() - start));
    }

    private static void stopPainter(ScheduledExecutorService painter) throws InterruptedException {
        painter.shutdownNow();
        painter.awaitTermination(1, TimeUnit.SECONDS);
    }

    private static double rate(long count, long nanos) {
        return nanos <= 0 ? 0 : count * 1e9 / nanos;
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    private static String format(Duration duration) {
        return duration.toMillis() < 1000 ? duration.toMillis() + "ms" : duration.toString();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private record Batched(long stored, long dropped, long nanos, long batches, long sentItems,
            Map<DropReason, Long> droppedByReason) {
    }
}
