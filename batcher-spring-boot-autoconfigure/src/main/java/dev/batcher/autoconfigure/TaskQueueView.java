package dev.batcher.autoconfigure;

import dev.batcher.BatchingEngine;
import dev.batcher.autoconfigure.BatchersEndpoint.BatcherDescriptor;
import dev.batcher.autoconfigure.BatchersEndpoint.LastBatchDescriptor;
import dev.batcher.autoconfigure.BatchersEndpoint.TotalsDescriptor;
import dev.batcher.task.TaskBroker;
import dev.batcher.task.TaskQueue;
import dev.batcher.task.TaskQueueStats;
import dev.batcher.task.TaskReport;
import dev.batcher.task.TaskStats;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.health.contributor.Health;

/**
 * The task queue (kind {@code tasks}) as the registry, the {@code batchers} endpoint, health and the lifecycle see
 * it. Its descriptor counts calls as items: submitted, sent = succeeded, dropped = failed (by failure code), buffered
 * = depth (waiting), in flight = pending (delivered, not acknowledged); {@code details} holds, per task name, its
 * {@code depth}, {@code pending}, {@code workers} (consumers), {@code deadLettered}, {@code submitted},
 * {@code succeeded}, {@code failed}, {@code retried}, {@code running} and {@code waiting}, plus {@code mode} and
 * {@code role}. It is DOWN while the broker cannot be read (Redis down) or calls keep failing
 * ({@code batcher.health.max-consecutive-failures} in a row). Closing it closes the broker.
 *
 * <p>The broker's numbers cost Redis calls: they are read at most once a second, for every meter and request.
 */
final class TaskQueueView implements EngineView, dev.batcher.task.TaskMetricsListener {

    /** The {@code kind} of the queue in the endpoint, health and meters. */
    static final String KIND = "tasks";

    private static final Log logger = LogFactory.getLog(TaskQueueView.class);

    private static final long STATS_MAX_AGE_NANOS = Duration.ofSeconds(1).toNanos();

    private final TaskQueue queue;

    private final TaskBroker broker;

    private final AtomicLong consecutiveFailures = new AtomicLong();

    private final Map<String, LongAdder> failedByCode = new ConcurrentHashMap<>();

    private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();

    private final List<Runnable> onClose = new CopyOnWriteArrayList<>();

    private volatile boolean paused;

    private volatile Instant lastSuccessAt;

    TaskQueueView(TaskQueue queue, TaskBroker broker) {
        this.queue = queue;
        this.broker = broker;
        queue.addMetricsListener(this);
    }

    /** The queue. */
    TaskQueue queue() {
        return this.queue;
    }

    @Override
    public BatchingEngine engine() {
        return this.queue;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public void start() {
        if (!this.queue.isClosed()) {
            this.queue.start();
        }
    }

    @Override
    public void closed() {
        this.onClose.forEach(Runnable::run);
        if (this.broker != null) {
            try {
                this.broker.close();
            }
            catch (RuntimeException ex) {
                logger.warn("Failed to close the task broker", ex);
            }
        }
        TaskStats stats = this.queue.stats();
        logger.info("Task queue '" + this.queue.name() + "' closed: " + stats.submitted() + " calls, "
                + stats.succeeded() + " succeeded, " + stats.failed() + " failed");
    }

    /** Runs {@code action} when the queue has closed (meters are removed so). */
    void onClose(Runnable action) {
        this.onClose.add(action);
    }

    @Override
    public void control(String action) {
        EngineView.super.control(action);
        if ("pause".equalsIgnoreCase(action)) {
            this.paused = true;
        }
        else if ("resume".equalsIgnoreCase(action)) {
            this.paused = false;
        }
    }

    // ------------------------------------------------------------------------------------ counts and broker stats

    @Override
    public void succeeded(String taskName, Duration duration) {
        this.consecutiveFailures.set(0);
        this.lastSuccessAt = Instant.now();
    }

    @Override
    public void failed(String taskName, TaskReport.FailureCode code, Duration duration) {
        this.consecutiveFailures.incrementAndGet();
        this.failedByCode.computeIfAbsent(tag(code), key -> new LongAdder()).increment();
    }

    /** Failed calls in a row, since the last success. */
    long consecutiveFailures() {
        return this.consecutiveFailures.get();
    }

    /** The failure code as a tag value: {@code worker-threw}, {@code timeout}, {@code shutdown}... */
    static String tag(TaskReport.FailureCode code) {
        return (code != null) ? code.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') : "unknown";
    }

    /**
     * What waits for one task name, read from the broker at most once a second.
     *
     * @param taskName the task name
     * @return its stats, or {@code null} when the broker cannot be read
     */
    TaskQueueStats queueStats(String taskName) {
        Snapshot current = snapshot();
        return current.stats.get(taskName);
    }

    private Snapshot snapshot() {
        Snapshot current = this.snapshot.get();
        long now = System.nanoTime();
        if (current != null && now - current.readAt < STATS_MAX_AGE_NANOS) {
            return current;
        }
        Map<String, TaskQueueStats> stats = new LinkedHashMap<>();
        String error = null;
        if (!this.queue.isClosed() || this.broker == null) {
            for (String name : this.queue.registry().names()) {
                try {
                    stats.put(name, this.queue.queueStats(name));
                }
                catch (RuntimeException ex) {
                    error = ex.getClass().getSimpleName() + ": " + ex.getMessage();
                    break;
                }
            }
        }
        Snapshot next = new Snapshot(now, (error != null) ? Map.of() : Map.copyOf(stats), error);
        this.snapshot.set(next);
        return next;
    }

    @Override
    public BatcherDescriptor describe() {
        TaskStats totals = this.queue.stats();
        Snapshot current = snapshot();
        long depth = 0;
        long pending = 0;
        Map<String, Object> tasks = new LinkedHashMap<>();
        for (String name : this.queue.registry().names()) {
            TaskQueueStats stats = current.stats.get(name);
            TaskStats counts = this.queue.stats(name);
            Map<String, Object> task = new LinkedHashMap<>();
            if (stats != null) {
                depth += stats.depth();
                pending += stats.pending();
                task.put("depth", stats.depth());
                task.put("pending", stats.pending());
                task.put("workers", stats.consumers());
                task.put("deadLettered", stats.deadLettered());
            }
            task.put("submitted", counts.submitted());
            task.put("succeeded", counts.succeeded());
            task.put("failed", counts.failed());
            task.put("retried", counts.retried());
            task.put("running", counts.running());
            task.put("waiting", counts.waiting());
            tasks.put(name, task);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("mode", (this.broker != null) ? "redis" : "local");
        details.put("role", this.queue.config().role().name().toLowerCase(java.util.Locale.ROOT));
        details.put("tasks", tasks);
        if (current.error != null) {
            details.put("brokerError", current.error);
        }
        Map<String, Long> failed = new LinkedHashMap<>();
        this.failedByCode.forEach((code, count) -> failed.put(code, count.sum()));
        return new BatcherDescriptor(this.queue.name(), KIND, depth, 0, 0, pending, this.paused,
                this.queue.isClosed(),
                new TotalsDescriptor(totals.submitted(), totals.succeeded(), totals.failed(), Map.copyOf(failed),
                        totals.retried(), totals.succeeded(), totals.failed(), consecutiveFailures()),
                new LastBatchDescriptor(0, this.lastSuccessAt), null, null, null, null,
                List.copyOf(this.queue.registry().workerNames()), null, details);
    }

    @Override
    public Health health(BatcherProperties.Health thresholds) {
        boolean closed = this.queue.isClosed();
        Snapshot current = closed ? null : snapshot();
        long failures = consecutiveFailures();
        int maxFailures = thresholds.getMaxConsecutiveFailures();
        String problem = null;
        if (current != null && current.error != null) {
            problem = "the task broker cannot be read: " + current.error;
        }
        else if (!closed && maxFailures > 0 && failures >= maxFailures) {
            problem = failures + " calls failed in a row (threshold batcher.health.max-consecutive-failures="
                    + maxFailures + ")";
        }
        Health.Builder builder = (problem != null) ? Health.down() : Health.up();
        builder.withDetail("state", EngineView.state(closed, this.paused));
        if (problem != null) {
            builder.withDetail("problem", problem);
        }
        return builder.withDetail("kind", KIND)
                .withDetail("mode", (this.broker != null) ? "redis" : "local")
                .withDetail("consecutiveFailures", failures)
                .withDetail("workers", List.copyOf(this.queue.registry().workerNames()))
                .build();
    }

    private record Snapshot(long readAt, Map<String, TaskQueueStats> stats, String error) {
    }
}
