package dev.batcher.autoconfigure;

import dev.batcher.task.TaskMetricsListener;
import dev.batcher.task.TaskQueueStats;
import dev.batcher.task.TaskReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToLongFunction;

/**
 * Micrometer meters of the task queue, tagged {@code name} (the queue, {@code tasks}), {@code kind=tasks} and
 * {@code task} (the task name):
 * <ul>
 * <li>{@code batcher.tasks.submitted}, {@code batcher.tasks.succeeded}, {@code batcher.tasks.failed} (tag
 * {@code code}: {@code worker-threw}, {@code timeout}, {@code shutdown}, {@code bad-payload}, ...),
 * {@code batcher.tasks.retried}: counters of the calls this process made (retries: attempts this process ran);</li>
 * <li>{@code batcher.tasks.duration}: timer from the call to its outcome (tag {@code outcome}: {@code success} or
 * {@code failure});</li>
 * <li>{@code batcher.tasks.depth} (waiting, delayed ones included), {@code batcher.tasks.pending} (delivered, not
 * acknowledged), {@code batcher.tasks.dead.lettered} (in the dead-letter stream), {@code batcher.tasks.workers}
 * (consumers reading the task): gauges of the broker's view in redis mode, read at most once a second (in local
 * mode depth and pending are this process's waiting and running attempts); NaN while the broker cannot be
 * read.</li>
 * </ul>
 * Every meter is removed when the queue closes.
 */
final class TaskQueueMeterBinder implements TaskMetricsListener {

    private final MeterRegistry registry;

    private final TaskQueueView view;

    private final Tags tags;

    private final List<Meter> meters = new CopyOnWriteArrayList<>();

    private final Set<String> gauged = ConcurrentHashMap.newKeySet();

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    TaskQueueMeterBinder(MeterRegistry registry, TaskQueueView view) {
        this.registry = registry;
        this.view = view;
        this.tags = Tags.of("name", view.queue().name(), "kind", TaskQueueView.KIND);
        view.queue().registry().names().forEach(this::gauges);
        view.queue().addMetricsListener(this);
        view.onClose(this::unbind);
    }

    @Override
    public void submitted(String taskName) {
        gauges(taskName);
        counter("batcher.tasks.submitted", "Calls made", taskName, null).increment();
    }

    @Override
    public void succeeded(String taskName, Duration duration) {
        counter("batcher.tasks.succeeded", "Calls that ended with Success", taskName, null).increment();
        timer(taskName, "success").record(duration);
    }

    @Override
    public void failed(String taskName, TaskReport.FailureCode code, Duration duration) {
        counter("batcher.tasks.failed", "Calls that ended with Fail, by failure code", taskName,
                TaskQueueView.tag(code)).increment();
        timer(taskName, "failure").record(duration);
    }

    @Override
    public void retried(String taskName, int nextAttempt, Duration backoff) {
        counter("batcher.tasks.retried", "Failed attempts scheduled again", taskName, null).increment();
    }

    private Counter counter(String name, String description, String taskName, String code) {
        String key = name + '\0' + taskName + '\0' + code;
        Counter counter = this.counters.get(key);
        if (counter == null) {
            counter = this.counters.computeIfAbsent(key, ignored -> {
                Counter.Builder builder = Counter.builder(name).description(description).baseUnit("calls")
                        .tags(this.tags).tag("task", taskName);
                if (code != null) {
                    builder.tag("code", code);
                }
                Counter created = builder.register(this.registry);
                this.meters.add(created);
                return created;
            });
        }
        return counter;
    }

    private Timer timer(String taskName, String outcome) {
        String key = taskName + '\0' + outcome;
        Timer timer = this.timers.get(key);
        if (timer == null) {
            timer = this.timers.computeIfAbsent(key, ignored -> {
                Timer created = Timer.builder("batcher.tasks.duration")
                        .description("Time from a call to its outcome (Success or Fail)")
                        .tags(this.tags).tag("task", taskName).tag("outcome", outcome)
                        .register(this.registry);
                this.meters.add(created);
                return created;
            });
        }
        return timer;
    }

    private void gauges(String taskName) {
        if (!this.gauged.add(taskName)) {
            return;
        }
        gauge("batcher.tasks.depth", "Tasks waiting to be delivered, delayed ones included", "tasks", taskName,
                TaskQueueStats::depth);
        gauge("batcher.tasks.pending", "Tasks delivered to a worker and not acknowledged yet", "tasks", taskName,
                TaskQueueStats::pending);
        gauge("batcher.tasks.dead.lettered", "Tasks moved to the dead-letter stream after max deliveries", "tasks",
                taskName, TaskQueueStats::deadLettered);
        gauge("batcher.tasks.workers", "Consumers reading the task's queue", "consumers", taskName,
                TaskQueueStats::consumers);
    }

    private void gauge(String name, String description, String unit, String taskName,
            ToLongFunction<TaskQueueStats> value) {
        this.meters.add(Gauge.builder(name, this.view, view -> {
            TaskQueueStats stats = view.queueStats(taskName);
            return (stats != null) ? value.applyAsLong(stats) : Double.NaN;
        }).description(description).baseUnit(unit).tags(this.tags).tag("task", taskName).register(this.registry));
    }

    private void unbind() {
        this.meters.forEach(this.registry::remove);
        this.meters.clear();
        this.counters.clear();
        this.timers.clear();
    }
}
