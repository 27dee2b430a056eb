package dev.batcher.task;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A {@link TaskBroker} in memory, for testing the remote path without Redis. It keeps the SPI's contract: each task
 * goes to one consumer of its name, no earlier than its {@code notBefore}; it is acknowledged only when the worker's
 * stage completes normally; an unacknowledged task (stage failed) is delivered again after the reclaim idle time with
 * a higher delivery count; past max deliveries it is dead-lettered with a DEAD_LETTER report; reports are kept and
 * replayed to late subscribers up to the final one.
 */
final class InMemoryTaskBroker implements TaskBroker {

    private final Duration reclaimIdle;
    private final int maxDeliveries;
    private final Map<String, DelayQueue<Entry>> queues = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> pending = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> dead = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> consumerCounts = new ConcurrentHashMap<>();
    private final Map<String, ReportLog> reports = new ConcurrentHashMap<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    final List<TaskMessage> published = new CopyOnWriteArrayList<>();
    final AtomicLong acknowledged = new AtomicLong();
    private volatile boolean closed;

    InMemoryTaskBroker(Duration reclaimIdle, int maxDeliveries) {
        this.reclaimIdle = reclaimIdle;
        this.maxDeliveries = maxDeliveries;
    }

    @Override
    public void publish(TaskMessage task) {
        if (closed) {
            throw new TaskBrokerException("broker closed", null);
        }
        published.add(task);
        long due = task.notBefore() == null ? System.nanoTime()
                : System.nanoTime() + Math.max(0, Duration.between(Instant.now(), task.notBefore()).toNanos());
        queue(task.name()).add(new Entry(task, due));
    }

    @Override
    public AutoCloseable consume(String name, int concurrency, TaskDelivery worker) {
        Semaphore permits = new Semaphore(concurrency);
        DelayQueue<Entry> queue = queue(name);
        consumerCounts.computeIfAbsent(name, key -> new AtomicInteger()).incrementAndGet();
        Thread thread = new Thread(() -> {
            while (!closed && !Thread.currentThread().isInterrupted()) {
                Entry entry;
                try {
                    permits.acquire();
                    entry = queue.take();
                }
                catch (InterruptedException ex) {
                    return;
                }
                int delivery = entry.message.delivery() + 1;
                if (delivery > maxDeliveries) {
                    permits.release();
                    dead.computeIfAbsent(name, key -> new AtomicLong()).incrementAndGet();
                    report(new TaskReport(entry.message.id(), name, TaskReport.Kind.FAIL, null,
                            TaskReport.FailureCode.DEAD_LETTER, "delivered " + maxDeliveries + " times",
                            Instant.now()));
                    continue;
                }
                TaskMessage message = entry.message.delivered(delivery);
                pending.computeIfAbsent(name, key -> new AtomicInteger()).incrementAndGet();
                CompletionStage<Void> stage;
                try {
                    stage = worker.deliver(message);
                }
                catch (Throwable ex) {
                    stage = CompletableFuture.failedFuture(ex);
                }
                stage.whenComplete((done, error) -> {
                    pending.get(name).decrementAndGet();
                    permits.release();
                    if (error == null) {
                        acknowledged.incrementAndGet();
                    }
                    else if (!closed) {
                        queue.add(new Entry(message, System.nanoTime() + reclaimIdle.toNanos()));
                    }
                });
            }
        }, "in-memory-broker-" + name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        return () -> {
            thread.interrupt();
            consumerCounts.get(name).decrementAndGet();
        };
    }

    @Override
    public void report(TaskReport report) {
        reports.computeIfAbsent(report.name() + '\u0000' + report.taskId(), key -> new ReportLog()).add(report);
    }

    @Override
    public AutoCloseable subscribe(String name, String taskId, Consumer<TaskReport> listener) {
        ReportLog log = reports.computeIfAbsent(name + '\u0000' + taskId, key -> new ReportLog());
        return log.subscribe(listener);
    }

    @Override
    public TaskQueueStats stats(String name) {
        return new TaskQueueStats(queue(name).size(), counter(pending, name), dead.getOrDefault(name,
                new AtomicLong()).get(), counter(consumerCounts, name));
    }

    /** The reports stored for one task. */
    List<TaskReport> reports(String name, String taskId) {
        ReportLog log = reports.get(name + '\u0000' + taskId);
        return log == null ? List.of() : log.snapshot();
    }

    @Override
    public void close() {
        closed = true;
        threads.forEach(Thread::interrupt);
    }

    private static int counter(Map<String, AtomicInteger> counters, String name) {
        AtomicInteger counter = counters.get(name);
        return counter == null ? 0 : counter.get();
    }

    private DelayQueue<Entry> queue(String name) {
        return queues.computeIfAbsent(name, key -> new DelayQueue<>());
    }

    private record Entry(TaskMessage message, long dueNanos) implements Delayed {

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(dueNanos, ((Entry) other).dueNanos);
        }
    }

    private static final class ReportLog {

        private final List<TaskReport> stored = new ArrayList<>();
        private final List<Consumer<TaskReport>> listeners = new ArrayList<>();

        synchronized void add(TaskReport report) {
            stored.add(report);
            for (Consumer<TaskReport> listener : List.copyOf(listeners)) {
                listener.accept(report);
                if (report.isFinal()) {
                    listeners.remove(listener);
                }
            }
        }

        synchronized AutoCloseable subscribe(Consumer<TaskReport> listener) {
            for (TaskReport report : stored) {
                listener.accept(report);
                if (report.isFinal()) {
                    return () -> { };
                }
            }
            listeners.add(listener);
            return () -> {
                synchronized (this) {
                    listeners.remove(listener);
                }
            };
        }

        synchronized List<TaskReport> snapshot() {
            return List.copyOf(stored);
        }
    }
}
