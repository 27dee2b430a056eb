package dev.batcher.task;

import dev.batcher.BatchingEngine;
import dev.batcher.InvalidOptionException;
import dev.batcher.kernel.EventChannel;
import dev.batcher.task.TaskEvent.Level;
import dev.batcher.task.TaskEvent.Origin;
import dev.batcher.task.TaskReport.FailureCode;
import dev.batcher.task.TaskReport.Kind;
import dev.batcher.time.Scheduler;
import java.lang.System.Logger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The task queue (dingo): calls registered functions by name, in this process ({@link TaskQueueConfig.Mode#LOCAL}) or
 * on workers anywhere through a {@link TaskBroker} ({@link TaskQueueConfig.Mode#REMOTE}), with the same
 * {@link TaskClient} and worker code in both modes.
 *
 * <pre>{@code
 * TaskRegistry tasks = new TaskRegistry().register("add", long.class, long.class, Long.class, (a, b) -> a + b);
 * try (TaskQueue queue = TaskQueue.local("tasks", TaskQueueConfig.defaults(), tasks)) {
 *     long sum = queue.<Long>call("add", 1, 2).await(Duration.ofSeconds(1));
 * }
 * }</pre>
 *
 * <p>Life of a call: an id from the {@link TaskIdMaker}, a Sent report, then (local) the arguments converted where
 * their types differ and the attempt queued on the task's worker pool, or (remote) the arguments marshalled into a
 * {@link TaskMessage} and published, the caller subscribed to its reports. A worker runs the attempt with a timeout,
 * reporting Progress when it starts; a failed attempt is scheduled again after the back-off while attempts remain;
 * the final Success or Fail completes the call. In remote mode the delivery is acknowledged only after the final report
 * (or the retry) is stored.
 *
 * <p>Threads, all daemon and named {@code batcher-tasks-<name>-...}: one worker pool per task name
 * ({@code concurrency} threads, idle ones end), one callback thread (listeners, callbacks, remote results), the
 * timer (delays, back-offs, timeouts; it only hands work to the others) and the event thread.
 */
public final class TaskQueue implements BatchingEngine, TaskClient {

    private static final Logger LOG = System.getLogger(TaskQueue.class.getName());
    private static final byte[] EMPTY = new byte[0];
    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;

    private final String name;
    private final TaskQueueConfig config;
    private final TaskRegistry registry;
    private final TaskBroker broker;
    private final TaskMarshaller marshaller;
    private final Scheduler scheduler;
    private final boolean ownScheduler;
    private final ThreadPoolExecutor callbackThread;
    private final Executor callbacks;
    private final EventChannel<EventSubscription, TaskEvent> events;
    private final List<EventSubscription> eventSubscriptions = new CopyOnWriteArrayList<>();
    private volatile Level lowestListened;
    private final List<TaskMetricsListener> metrics = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, ThreadPoolExecutor> pools = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counters> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<CallKey, TaskCall<?>> outstanding = new ConcurrentHashMap<>();
    private final Set<Run> runs = ConcurrentHashMap.newKeySet();
    private final List<AutoCloseable> consumers = new CopyOnWriteArrayList<>();
    private final AtomicInteger state = new AtomicInteger(OPEN);
    private final List<Run> held = new ArrayList<>();
    private volatile boolean started;
    private volatile boolean paused;

    private TaskQueue(String name, TaskQueueConfig config, TaskRegistry registry, TaskBroker broker) {
        this.name = name;
        this.config = config;
        this.registry = registry;
        this.broker = broker;
        this.marshaller = config.marshaller();
        this.ownScheduler = config.scheduler() == null;
        this.scheduler = ownScheduler ? Scheduler.system("batcher-tasks-" + name + "-timer") : config.scheduler();
        this.callbackThread = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemon("batcher-tasks-" + name + "-callbacks"));
        this.callbackThread.allowCoreThreadTimeOut(true);
        this.callbacks = this::runCallback;
        this.events = new EventChannel<>("Task queue '" + name + "'", "batcher-tasks-" + name + "-events", 65_536,
                (subscription, event) -> subscription.offer(event), LOG);
    }

    /**
     * Creates a queue in the configured mode.
     *
     * @param name the queue's name (threads, logs, meters)
     * @param config the options
     * @param registry the tasks this process can call and run
     * @param broker the broker for {@link TaskQueueConfig.Mode#REMOTE}, {@code null} for local
     * @return the queue; call {@link #start()} to start consuming in remote mode
     * @throws InvalidOptionException naming {@code mode} when the broker does not match it
     */
    public static TaskQueue create(String name, TaskQueueConfig config, TaskRegistry registry, TaskBroker broker) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A task queue needs a name (was '" + name + "')");
        }
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        if (config.mode() == TaskQueueConfig.Mode.REMOTE && broker == null) {
            throw new InvalidOptionException("mode", "remote", "needs a TaskBroker (batcher-redis's Redis Streams "
                    + "broker with batcher.redis.* set); without one, use mode=local");
        }
        if (config.mode() == TaskQueueConfig.Mode.LOCAL && broker != null) {
            throw new InvalidOptionException("mode", "local", "runs every call in this process and takes no "
                    + "broker; set mode=remote to use the broker given");
        }
        return new TaskQueue(name, config, registry, broker);
    }

    /**
     * Creates a local queue (no broker).
     *
     * @param name the queue's name
     * @param config the options (its mode must be local)
     * @param registry the tasks
     * @return the queue
     */
    public static TaskQueue local(String name, TaskQueueConfig config, TaskRegistry registry) {
        return create(name, config, registry, null);
    }

    /**
     * Starts consuming the registered tasks from the broker (remote mode, unless the role is client); tasks
     * registered later are consumed from their registration. Does nothing in local mode or when started before.
     *
     * @return this queue
     */
    public TaskQueue start() {
        if (state.get() != OPEN) {
            throw new IllegalStateException("Task queue '" + name + "' is closed and cannot start again");
        }
        synchronized (consumers) {
            if (started) {
                return this;
            }
            started = true;
        }
        if (broker != null && config.role() != TaskQueueConfig.Role.CLIENT) {
            registry.onRegistration(task -> {
                if (task.runnable() && state.get() == OPEN) {
                    startConsumer(task);
                }
            });
            for (String taskName : registry.workerNames()) {
                startConsumer(registry.find(taskName));
            }
        }
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    /** The options. */
    public TaskQueueConfig config() {
        return config;
    }

    /** The tasks this queue knows. */
    public TaskRegistry registry() {
        return registry;
    }

    @Override
    public <R> TaskCall<R> call(String taskName, Object... arguments) {
        return call(taskName, TaskOptions.DEFAULTS, arguments);
    }

    @Override
    public <R> TaskCall<R> call(String taskName, TaskOptions options, Object... arguments) {
        Objects.requireNonNull(options, "options");
        Object[] args = arguments == null ? new Object[0] : arguments;
        if (state.get() != OPEN) {
            throw new IllegalStateException("Task queue '" + name + "' is closed; it takes no more calls (task '"
                    + taskName + "')");
        }
        RegisteredTask task = registry.task(taskName);
        if (broker == null && !task.runnable()) {
            throw new IllegalStateException("Task '" + taskName + "' is only declared, and queue '" + name
                    + "' runs in local mode: register its worker function, or use mode=remote");
        }
        task.checkArity(args);
        String id = config.idMaker().next(taskName);
        if (id == null || id.isEmpty()) {
            throw new IllegalStateException("The id maker of queue '" + name + "' gave an empty id for task '"
                    + taskName + "'");
        }
        TaskCall<R> call = new TaskCall<>(taskName, id, options.reports(), callbacks);
        if (outstanding.putIfAbsent(new CallKey(taskName, id), call) != null) {
            throw new IllegalStateException("The id maker of queue '" + name + "' gave id " + id + " to a second "
                    + "call of task '" + taskName + "' while the first is running; ids must be unique per task name");
        }
        int maxAttempts = options.maxAttempts() != 0 ? options.maxAttempts() : config.retry().maxAttempts();
        Duration timeout = options.timeout() != null ? options.timeout() : config.timeout();
        Instant startAt = options.startAt(Instant.now());
        return broker == null
                ? callLocal(call, task, args, maxAttempts, timeout, startAt)
                : callRemote(call, task, args, maxAttempts, timeout, startAt, options.reports());
    }

    private <R> TaskCall<R> callLocal(TaskCall<R> call, RegisteredTask task, Object[] arguments, int maxAttempts,
            Duration timeout, Instant startAt) {
        accepted(call);
        Object[] converted;
        try {
            converted = task.coerce(arguments, marshaller);
        }
        catch (BadPayloadException ex) {
            event(Level.WARNING, Origin.MARSHALLER, call.name(), call.id(), "arguments refused: " + ex.getMessage(),
                    ex);
            settleFail(call, FailureCode.BAD_PAYLOAD, ex.getMessage(), ex);
            return call;
        }
        call.report(report(call.name(), call.id(), Kind.SENT, EMPTY));
        event(Level.DEBUG, Origin.CLIENT, call.name(), call.id(), "sent", null);
        submit(new LocalRun(call, task, converted, 1, maxAttempts, timeout.toNanos()), delayNanos(startAt));
        return call;
    }

    private <R> TaskCall<R> callRemote(TaskCall<R> call, RegisteredTask task, Object[] arguments, int maxAttempts,
            Duration timeout, Instant startAt, boolean reports) {
        byte[] payload;
        try {
            payload = new TaskEnvelope(maxAttempts, Math.max(1, timeout.toMillis()),
                    marshaller.marshalArguments(arguments)).encode();
        }
        catch (BadPayloadException ex) {
            accepted(call);
            event(Level.WARNING, Origin.MARSHALLER, call.name(), call.id(), "arguments refused: " + ex.getMessage(),
                    ex);
            settleFail(call, FailureCode.BAD_PAYLOAD, ex.getMessage(), ex);
            return call;
        }
        if (payload.length > config.maxPayloadBytes()) {
            accepted(call);
            String detail = "the arguments marshal to " + payload.length + " bytes, over max-payload-bytes="
                    + config.maxPayloadBytes() + "; pass a reference (an id or a URL) instead of the data, or raise "
                    + "batcher.tasks.max-payload-bytes";
            event(Level.WARNING, Origin.CLIENT, call.name(), call.id(), detail, null);
            settleFail(call, FailureCode.BAD_PAYLOAD, detail, null);
            return call;
        }
        call.report(report(call.name(), call.id(), Kind.SENT, EMPTY));
        try {
            call.subscription(broker.subscribeBeforePublish(call.name(), call.id(),
                    received -> callbacks.execute(() -> onRemoteReport(call, task, received))));
            // Not waiting for the broker: one caller thread keeps many calls on their way (pipelined publishes).
            broker.publishAsync(new TaskMessage(call.id(), call.name(), payload, 1, 0, startAt, reports))
                    .whenComplete((published, error) -> {
                        if (error != null) {
                            notSent(call, error instanceof java.util.concurrent.CompletionException
                                    && error.getCause() != null ? error.getCause() : error);
                        }
                    });
        }
        catch (RuntimeException ex) {
            notSent(call, ex);
            throw ex instanceof TaskBrokerException broken ? broken
                    : new TaskBrokerException("Task queue '" + name + "' could not publish a call of task '"
                            + call.name() + "': " + ex.getMessage(), ex);
        }
        accepted(call);
        event(Level.DEBUG, Origin.CLIENT, call.name(), call.id(), "published", null);
        return call;
    }

    /** The broker did not take the call: it fails with {@code SHUTDOWN} ("not sent"). */
    private void notSent(TaskCall<?> call, Throwable error) {
        outstanding.remove(new CallKey(call.name(), call.id()));
        if (call.end(report(call.name(), call.id(), FailureCode.SHUTDOWN, "not sent"))) {
            call.completeExceptionally(new TaskFailedException(call.name(), call.id(), FailureCode.SHUTDOWN,
                    "not sent", error));
        }
        event(Level.ERROR, Origin.BROKER, call.name(), call.id(), "publish failed", error);
    }

    @SuppressWarnings("unchecked")
    private void onRemoteReport(TaskCall<?> call, RegisteredTask task, TaskReport received) {
        switch (received.kind()) {
            case SENT, PROGRESS -> call.report(received);
            case SUCCESS -> {
                Object value;
                try {
                    value = marshaller.unmarshal(received.payload(), task.resultType());
                }
                catch (BadPayloadException ex) {
                    event(Level.WARNING, Origin.MARSHALLER, call.name(), call.id(), "result refused", ex);
                    settleFail(call, FailureCode.BAD_PAYLOAD, "result: " + ex.getMessage(), ex);
                    return;
                }
                settleSuccess((TaskCall<Object>) call, value, received);
            }
            case FAIL -> settleFail(call, received.failure(), received.message(), null, received);
            default -> throw new IllegalStateException("unknown report kind " + received.kind());
        }
    }

    /** Runs a delivered task (remote mode, worker side); the stage completes once it may be acknowledged. */
    private CompletionStage<Void> deliver(TaskMessage message) {
        if (state.get() != OPEN) {
            return CompletableFuture.failedFuture(new CancellationException("Task queue '" + name
                    + "' is closing; the task stays pending for another worker"));
        }
        RegisteredTask task = registry.find(message.name());
        try {
            if (task == null || !task.runnable()) {
                broker.report(report(message.name(), message.id(), FailureCode.UNKNOWN_TASK,
                        "no worker is registered under '" + message.name() + "' in queue '" + name + "'"));
                return CompletableFuture.completedFuture(null);
            }
            if (message.payload().length > config.maxPayloadBytes()) {
                String detail = "the payload has " + message.payload().length + " bytes, over max-payload-bytes="
                        + config.maxPayloadBytes() + "; it was not read";
                event(Level.WARNING, Origin.WORKER, message.name(), message.id(), detail, null);
                broker.report(report(message.name(), message.id(), FailureCode.BAD_PAYLOAD, detail));
                return CompletableFuture.completedFuture(null);
            }
            TaskEnvelope envelope;
            try {
                envelope = TaskEnvelope.decode(message.payload());
            }
            catch (BadPayloadException ex) {
                event(Level.WARNING, Origin.MARSHALLER, message.name(), message.id(), ex.getMessage(), ex);
                broker.report(report(message.name(), message.id(), FailureCode.BAD_PAYLOAD, ex.getMessage()));
                return CompletableFuture.completedFuture(null);
            }
            RemoteRun run = new RemoteRun(task, message, envelope);
            submit(run, 0);
            return run.acked;
        }
        catch (RuntimeException ex) {
            event(Level.ERROR, Origin.BROKER, message.name(), message.id(), "report failed", ex);
            return CompletableFuture.failedFuture(ex);
        }
    }

    private void startConsumer(RegisteredTask task) {
        int concurrency = config.concurrency(task.name());
        consumers.add(broker.consume(task.name(), concurrency, this::deliver));
        event(Level.DEBUG, Origin.BROKER, task.name(), null, "consuming with concurrency " + concurrency, null);
    }

    // ---------------------------------------------------------------------------------------------------- runs

    private void submit(Run run, long delayNanos) {
        runs.add(run);
        counters(run.task.name()).waiting.incrementAndGet();
        if (delayNanos > 0) {
            run.dueNanos = scheduler.nanoTime() + delayNanos;
            run.timer = scheduler.schedule(() -> execute(run), delayNanos);
        }
        else {
            execute(run);
        }
    }

    private void execute(Run run) {
        try {
            pool(run.task.name()).execute(run);
        }
        catch (RejectedExecutionException ex) {
            run.cancel(FailureCode.SHUTDOWN, "the queue shut down before it ran");
        }
    }

    private ThreadPoolExecutor pool(String taskName) {
        ThreadPoolExecutor pool = pools.get(taskName);
        if (pool != null) {
            return pool;
        }
        return pools.computeIfAbsent(taskName, key -> {
            int size = config.concurrency(key);
            ThreadPoolExecutor created = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), daemon("batcher-tasks-" + name + "-" + key + "-worker"));
            created.allowCoreThreadTimeOut(true);
            if (state.get() == CLOSED) {
                created.shutdown();
            }
            return created;
        });
    }

    private boolean hold(Run run) {
        synchronized (held) {
            if (!paused) {
                return false;
            }
            held.add(run);
            return true;
        }
    }

    private long delayNanos(Instant startAt) {
        if (startAt == null) {
            return 0;
        }
        return Math.max(0, Duration.between(Instant.now(), startAt).toNanos());
    }

    /** One attempt of a call on this process's workers, and its context. */
    private abstract class Run implements Runnable, TaskContext {

        static final int WAITING = 0;
        static final int RUNNING = 1;
        static final int DONE = 2;
        static final int CANCELLED = 3;

        final RegisteredTask task;
        final String id;
        final int attempt;
        final int maxAttempts;
        final long timeoutNanos;
        final AtomicInteger phase = new AtomicInteger(WAITING);
        volatile Scheduler.Cancellable timer;
        volatile long dueNanos = Long.MIN_VALUE;
        private Thread thread;

        Run(RegisteredTask task, String id, int attempt, int maxAttempts, long timeoutNanos) {
            this.task = task;
            this.id = id;
            this.attempt = attempt;
            this.maxAttempts = maxAttempts;
            this.timeoutNanos = timeoutNanos;
        }

        @Override
        public final void run() {
            if (phase.get() == WAITING && hold(this)) {
                return;
            }
            Counters count = counters(task.name());
            if (!phase.compareAndSet(WAITING, RUNNING)) {
                return;
            }
            count.waiting.decrementAndGet();
            count.running.incrementAndGet();
            synchronized (this) {
                thread = Thread.currentThread();
            }
            Scheduler.Cancellable deadline = scheduler.schedule(() -> callbacks.execute(this::timedOut),
                    timeoutNanos);
            Object result = null;
            Throwable error = null;
            boolean badPayload = false;
            try {
                Object[] arguments;
                try {
                    arguments = arguments();
                }
                catch (BadPayloadException ex) {
                    badPayload = true;
                    throw ex;
                }
                started();
                event(Level.DEBUG, Origin.WORKER, task.name(), id, "attempt " + attempt + " started", null);
                result = task.invoke(this, arguments);
            }
            catch (Throwable ex) {
                error = ex;
            }
            finally {
                deadline.cancel();
                synchronized (this) {
                    thread = null;
                }
                Thread.interrupted();
                count.running.decrementAndGet();
            }
            if (!phase.compareAndSet(RUNNING, DONE)) {
                return;
            }
            runs.remove(this);
            if (error == null) {
                succeeded(result);
            }
            else if (badPayload) {
                event(Level.WARNING, Origin.MARSHALLER, task.name(), id, "arguments refused: " + error.getMessage(),
                        error);
                failed(FailureCode.BAD_PAYLOAD, error.getMessage(), error);
            }
            else {
                attemptFailed(error);
            }
        }

        private void attemptFailed(Throwable error) {
            if (state.get() != CLOSED && TaskRetry.canRetry(config.retry(), maxAttempts, attempt, error)) {
                long backoff = TaskRetry.backoffNanos(config.retry(), attempt);
                counters(task.name()).retried.increment();
                Duration wait = Duration.ofNanos(backoff);
                for (TaskMetricsListener listener : metrics) {
                    safely(() -> listener.retried(task.name(), attempt + 1, wait));
                }
                event(Level.INFO, Origin.WORKER, task.name(), id, "attempt " + attempt + " threw " + error
                        + "; attempt " + (attempt + 1) + " in " + wait, error);
                retry(attempt + 1, backoff);
            }
            else {
                event(Level.ERROR, Origin.WORKER, task.name(), id, "attempt " + attempt + " of " + maxAttempts
                        + " threw", error);
                failed(FailureCode.WORKER_THREW, String.valueOf(error), error);
            }
        }

        private void timedOut() {
            if (phase.compareAndSet(RUNNING, CANCELLED)) {
                interrupt();
                runs.remove(this);
                String detail = "attempt " + attempt + " ran past its timeout of " + Duration.ofNanos(timeoutNanos);
                event(Level.WARNING, Origin.WORKER, task.name(), id, detail, null);
                failed(FailureCode.TIMEOUT, detail, null);
            }
        }

        /** Ends a waiting or running attempt without its result (shutdown); false if it had ended. */
        boolean cancel(FailureCode code, String detail) {
            int now = phase.get();
            if ((now != WAITING && now != RUNNING) || !phase.compareAndSet(now, CANCELLED)) {
                return false;
            }
            Scheduler.Cancellable pending = timer;
            if (pending != null) {
                pending.cancel();
            }
            if (now == WAITING) {
                counters(task.name()).waiting.decrementAndGet();
            }
            else {
                interrupt();
            }
            runs.remove(this);
            failed(code, detail, null);
            return true;
        }

        private synchronized void interrupt() {
            if (thread != null) {
                thread.interrupt();
            }
        }

        @Override
        public String name() {
            return task.name();
        }

        @Override
        public String taskId() {
            return id;
        }

        @Override
        public int attempt() {
            return attempt;
        }

        @Override
        public boolean isCancelled() {
            return phase.get() == CANCELLED;
        }

        /** The arguments in the worker's parameter types. */
        abstract Object[] arguments();

        /** The attempt starts: a Progress report. */
        abstract void started();

        abstract void succeeded(Object result);

        abstract void failed(FailureCode code, String detail, Throwable cause);

        abstract void retry(int nextAttempt, long backoffNanos);

        /** Completes when the run may be acknowledged (remote) or has settled (local). */
        abstract CompletableFuture<?> settled();
    }

    /** An attempt of a call made in this process, in local mode: no marshalling where types fit. */
    private final class LocalRun extends Run {

        private final TaskCall<Object> call;
        private final Object[] arguments;

        @SuppressWarnings("unchecked")
        LocalRun(TaskCall<?> call, RegisteredTask task, Object[] arguments, int attempt, int maxAttempts,
                long timeoutNanos) {
            super(task, call.id(), attempt, maxAttempts, timeoutNanos);
            this.call = (TaskCall<Object>) call;
            this.arguments = arguments;
        }

        @Override
        Object[] arguments() {
            return arguments;
        }

        @Override
        void started() {
            call.report(report(task.name(), id, Kind.PROGRESS, EMPTY));
        }

        @Override
        public void progress(Object value) {
            if (call.reportsWanted()) {
                call.report(report(task.name(), id, Kind.PROGRESS, marshalQuietly(task.name(), id, value)));
            }
        }

        @Override
        void succeeded(Object result) {
            byte[] payload = call.reportsWanted() ? marshalQuietly(task.name(), id, result) : EMPTY;
            settleSuccess(call, result, report(task.name(), id, Kind.SUCCESS, payload));
        }

        @Override
        void failed(FailureCode code, String detail, Throwable cause) {
            settleFail(call, code, detail, cause);
        }

        @Override
        void retry(int nextAttempt, long backoffNanos) {
            submit(new LocalRun(call, task, arguments, nextAttempt, maxAttempts, timeoutNanos), backoffNanos);
        }

        @Override
        CompletableFuture<?> settled() {
            return call.result();
        }
    }

    /** An attempt of a task delivered by the broker (remote mode, worker side). */
    private final class RemoteRun extends Run {

        private final TaskMessage message;
        private final TaskEnvelope envelope;
        final CompletableFuture<Void> acked = new CompletableFuture<>();

        RemoteRun(RegisteredTask task, TaskMessage message, TaskEnvelope envelope) {
            super(task, message.id(), message.attempt(), envelope.maxAttempts(),
                    TimeUnit.MILLISECONDS.toNanos(envelope.timeoutMillis()));
            this.message = message;
            this.envelope = envelope;
        }

        @Override
        Object[] arguments() {
            return marshaller.unmarshalArguments(envelope.arguments(), task.parameterTypes());
        }

        @Override
        void started() {
            if (message.reports()) {
                broker.report(report(task.name(), id, Kind.PROGRESS, EMPTY));
            }
        }

        @Override
        public void progress(Object value) {
            if (message.reports()) {
                broker.report(report(task.name(), id, Kind.PROGRESS, marshalQuietly(task.name(), id, value)));
            }
        }

        @Override
        void succeeded(Object result) {
            byte[] payload;
            try {
                payload = marshaller.marshal(result);
            }
            catch (BadPayloadException ex) {
                event(Level.WARNING, Origin.MARSHALLER, task.name(), id, "result refused", ex);
                failed(FailureCode.BAD_PAYLOAD, "result: " + ex.getMessage(), ex);
                return;
            }
            finish(report(task.name(), id, Kind.SUCCESS, payload));
        }

        @Override
        void failed(FailureCode code, String detail, Throwable cause) {
            if (code == FailureCode.SHUTDOWN) {
                // Not acknowledged: the broker hands the task to another worker after its idle time.
                acked.completeExceptionally(new CancellationException("Task queue '" + name + "' shut down"));
                return;
            }
            finish(report(task.name(), id, code, detail));
        }

        @Override
        void retry(int nextAttempt, long backoffNanos) {
            try {
                broker.publish(new TaskMessage(id, task.name(), message.payload(), nextAttempt, 0,
                        Instant.now().plusNanos(backoffNanos), message.reports()));
                acked.complete(null);
            }
            catch (RuntimeException ex) {
                event(Level.ERROR, Origin.BROKER, task.name(), id, "retry not published; the task stays pending", ex);
                acked.completeExceptionally(ex);
            }
        }

        /** Stores the final report without holding the worker thread; the task may be acknowledged once stored. */
        private void finish(TaskReport report) {
            CompletableFuture<Void> stored;
            try {
                stored = broker.reportAsync(report);
            }
            catch (RuntimeException ex) {
                stored = CompletableFuture.failedFuture(ex);
            }
            stored.whenComplete((ignored, error) -> {
                if (error == null) {
                    acked.complete(null);
                    return;
                }
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                event(Level.ERROR, Origin.BROKER, task.name(), id, "report not stored; the task stays pending",
                        cause);
                acked.completeExceptionally(cause);
            });
        }

        @Override
        CompletableFuture<?> settled() {
            return acked;
        }
    }

    // ------------------------------------------------------------------------------------------- settlement

    private void accepted(TaskCall<?> call) {
        counters(call.name()).submitted.increment();
        for (TaskMetricsListener listener : metrics) {
            safely(() -> listener.submitted(call.name()));
        }
    }

    private void settleSuccess(TaskCall<Object> call, Object value, TaskReport report) {
        if (!call.end(report)) {
            return;
        }
        outstanding.remove(new CallKey(call.name(), call.id()));
        counters(call.name()).succeeded.increment();
        Duration took = call.elapsed();
        for (TaskMetricsListener listener : metrics) {
            safely(() -> listener.succeeded(call.name(), took));
        }
        call.complete(value);
        event(Level.DEBUG, Origin.CLIENT, call.name(), call.id(), "succeeded in " + took, null);
    }

    private void settleFail(TaskCall<?> call, FailureCode code, String detail, Throwable cause) {
        settleFail(call, code, detail, cause, report(call.name(), call.id(), code, detail));
    }

    private void settleFail(TaskCall<?> call, FailureCode code, String detail, Throwable cause, TaskReport report) {
        if (!call.end(report)) {
            return;
        }
        outstanding.remove(new CallKey(call.name(), call.id()));
        counters(call.name()).failed.increment();
        Duration took = call.elapsed();
        for (TaskMetricsListener listener : metrics) {
            safely(() -> listener.failed(call.name(), code, took));
        }
        call.completeExceptionally(new TaskFailedException(call.name(), call.id(), code, detail, cause));
        event(Level.DEBUG, Origin.CLIENT, call.name(), call.id(), "failed with " + code, null);
    }

    private byte[] marshalQuietly(String taskName, String id, Object value) {
        try {
            return marshaller.marshal(value);
        }
        catch (RuntimeException ex) {
            event(Level.WARNING, Origin.MARSHALLER, taskName, id, "a report value could not be marshalled", ex);
            return EMPTY;
        }
    }

    private static TaskReport report(String taskName, String id, Kind kind, byte[] payload) {
        return new TaskReport(id, taskName, kind, payload, null, null, Instant.now());
    }

    private static TaskReport report(String taskName, String id, FailureCode code, String detail) {
        return new TaskReport(id, taskName, Kind.FAIL, EMPTY, code, detail, Instant.now());
    }

    // --------------------------------------------------------------------------------------------- lifecycle

    /** Completes once every call made and every run accepted before now has ended. */
    @Override
    public CompletableFuture<Void> flush() {
        List<CompletableFuture<?>> live = new ArrayList<>();
        outstanding.values().forEach(call -> live.add(call.result()));
        runs.forEach(run -> live.add(run.settled()));
        return CompletableFuture.allOf(live.stream().map(future -> future.handle((value, error) -> null))
                .toArray(CompletableFuture[]::new));
    }

    /**
     * Stops starting attempts (they wait, and start on {@link #resume()}); calls are still accepted.
     *
     * @throws IllegalStateException when closing or closed
     */
    @Override
    public void pause() {
        if (state.get() != OPEN) {
            throw new IllegalStateException("Task queue '" + name + "' is closing or closed; a pause would stall "
                    + "its drain");
        }
        paused = true;
    }

    @Override
    public void resume() {
        List<Run> release;
        synchronized (held) {
            paused = false;
            release = new ArrayList<>(held);
            held.clear();
        }
        release.forEach(this::execute);
    }

    /**
     * Stops taking calls and deliveries, waits at most {@code timeout} for the calls made and the attempts accepted
     * to end, then fails the rest with {@link FailureCode#SHUTDOWN} (attempts due later than the timeout at once).
     * Tasks delivered by the broker and not finished are not acknowledged: they go to another worker.
     */
    @Override
    public boolean close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (!state.compareAndSet(OPEN, CLOSING)) {
            return awaitQuiet(timeout);
        }
        stopConsumers();
        resume();
        long deadline = scheduler.nanoTime() + timeout.toNanos();
        for (Run run : runs) {
            if (run.phase.get() == Run.WAITING && run.dueNanos != Long.MIN_VALUE && run.dueNanos - deadline > 0) {
                run.cancel(FailureCode.SHUTDOWN, "it was due after the queue's drain timeout");
            }
        }
        boolean drained = awaitQuiet(timeout);
        terminate(drained ? "closed" : "closed after the drain timeout of " + timeout);
        return drained;
    }

    @Override
    public void close() {
        close(config.drainTimeout());
    }

    /** Stops at once: every call and attempt not ended fails with {@link FailureCode#SHUTDOWN}. */
    @Override
    public void shutdownNow() {
        state.set(CLOSING);
        stopConsumers();
        terminate("shut down");
    }

    @Override
    public boolean isClosed() {
        return state.get() != OPEN;
    }

    @Override
    public boolean isDrained() {
        return state.get() == CLOSED && outstanding.isEmpty() && runs.isEmpty();
    }

    private boolean awaitQuiet(Duration timeout) {
        try {
            flush().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        }
        catch (TimeoutException ex) {
            return false;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
        catch (ExecutionException ex) {
            return false;
        }
    }

    private void terminate(String why) {
        for (Run run : runs) {
            run.cancel(FailureCode.SHUTDOWN, "the queue " + why + " before it ended");
        }
        for (TaskCall<?> call : outstanding.values()) {
            settleFail(call, FailureCode.SHUTDOWN, "the queue " + why + " before the call ended", null);
        }
        state.set(CLOSED);
        pools.values().forEach(ThreadPoolExecutor::shutdownNow);
        if (ownScheduler) {
            scheduler.shutdown();
        }
        events.closeAfter(new TaskEvent(Level.DEBUG, Origin.CLIENT, null, null, "queue " + why, null,
                Instant.now()));
    }

    private void stopConsumers() {
        for (AutoCloseable consumer : consumers) {
            try {
                consumer.close();
            }
            catch (Exception ex) {
                event(Level.WARNING, Origin.BROKER, null, null, "a consumer did not stop cleanly", ex);
            }
        }
        consumers.clear();
    }

    // ------------------------------------------------------------------------------------------ observation

    /**
     * Listens to events (dingo's {@code Listen}) of some origins at or above a level, on the event thread.
     *
     * @param origins the parts to hear from (empty: all)
     * @param minimum the lowest level delivered
     * @param listener gets each event
     * @return stops listening
     */
    public AutoCloseable listen(Set<Origin> origins, Level minimum, Consumer<TaskEvent> listener) {
        EventSubscription subscription = new EventSubscription(
                origins == null || origins.isEmpty() ? EnumSet.allOf(Origin.class) : EnumSet.copyOf(origins),
                Objects.requireNonNull(minimum, "minimum"), Objects.requireNonNull(listener, "listener"));
        eventSubscriptions.add(subscription);
        events.add(subscription);
        updateLowestListened();
        return () -> {
            eventSubscriptions.remove(subscription);
            events.remove(subscription);
            updateLowestListened();
        };
    }

    /**
     * Adds a listener for meters.
     *
     * @param listener told about calls and retries
     */
    public void addMetricsListener(TaskMetricsListener listener) {
        metrics.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Counts of the whole queue. */
    public TaskStats stats() {
        long submitted = 0;
        long succeeded = 0;
        long failed = 0;
        long retried = 0;
        int running = 0;
        int waiting = 0;
        for (Counters count : counters.values()) {
            submitted += count.submitted.sum();
            succeeded += count.succeeded.sum();
            failed += count.failed.sum();
            retried += count.retried.sum();
            running += count.running.get();
            waiting += count.waiting.get();
        }
        return new TaskStats(submitted, succeeded, failed, retried, running, waiting);
    }

    /**
     * Counts of one task name.
     *
     * @param taskName the task name
     * @return its counts (zeros for a name never used)
     */
    public TaskStats stats(String taskName) {
        Counters count = counters.get(taskName);
        return count == null ? new TaskStats(0, 0, 0, 0, 0, 0) : count.snapshot();
    }

    /**
     * What waits for one task name: the broker's view in remote mode; in local mode, waiting attempts as depth and
     * running ones as pending.
     *
     * @param taskName the task name
     * @return depth, pending, dead letters, consumers
     */
    public TaskQueueStats queueStats(String taskName) {
        if (broker != null) {
            return broker.stats(taskName);
        }
        Counters count = counters.get(taskName);
        int consumers = registry.find(taskName) != null && registry.find(taskName).runnable() ? 1 : 0;
        return count == null ? new TaskQueueStats(0, 0, 0, consumers)
                : new TaskQueueStats(count.waiting.get(), count.running.get(), 0, consumers);
    }

    /** Events dropped because listeners were too slow. */
    public long lostEvents() {
        return events.lostEvents();
    }

    private void event(Level level, Origin origin, String taskName, String id, String message, Throwable error) {
        Level lowest = lowestListened;
        if (lowest == null || level.ordinal() < lowest.ordinal()) {
            return;
        }
        events.emit(new TaskEvent(level, origin, taskName, id, message, error, Instant.now()));
    }

    private void updateLowestListened() {
        Level lowest = null;
        for (EventSubscription subscription : eventSubscriptions) {
            if (lowest == null || subscription.minimum.ordinal() < lowest.ordinal()) {
                lowest = subscription.minimum;
            }
        }
        lowestListened = lowest;
    }

    private Counters counters(String taskName) {
        Counters count = counters.get(taskName);
        return count != null ? count : counters.computeIfAbsent(taskName, key -> new Counters());
    }

    private void runCallback(Runnable command) {
        Runnable guarded = () -> {
            try {
                command.run();
            }
            catch (Throwable ex) {
                LOG.log(Logger.Level.WARNING, "Task queue '" + name + "': a callback or report listener threw", ex);
            }
        };
        try {
            callbackThread.execute(guarded);
        }
        catch (RejectedExecutionException ex) {
            guarded.run();
        }
    }

    private static void safely(Runnable metric) {
        try {
            metric.run();
        }
        catch (RuntimeException ex) {
            LOG.log(Logger.Level.DEBUG, "A task metrics listener threw", ex);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger next = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + next.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public String toString() {
        return "TaskQueue[" + name + ", " + config.mode() + "]";
    }

    private record CallKey(String name, String id) {
    }

    private static final class Counters {

        final LongAdder submitted = new LongAdder();
        final LongAdder succeeded = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder retried = new LongAdder();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger waiting = new AtomicInteger();

        TaskStats snapshot() {
            return new TaskStats(submitted.sum(), succeeded.sum(), failed.sum(), retried.sum(), running.get(),
                    waiting.get());
        }
    }

    private record EventSubscription(Set<Origin> origins, Level minimum, Consumer<TaskEvent> listener) {

        void offer(TaskEvent event) {
            if (origins.contains(event.origin()) && event.level().ordinal() >= minimum.ordinal()) {
                listener.accept(event);
            }
        }
    }
}
