package dev.batcher.redis;

import dev.batcher.task.TaskBroker;
import dev.batcher.task.TaskBrokerException;
import dev.batcher.task.TaskDelivery;
import dev.batcher.task.TaskMessage;
import dev.batcher.task.TaskQueueStats;
import dev.batcher.task.TaskReport;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The task queue's remote mode on Redis Streams: a {@link TaskBroker} whose tasks survive the processes that publish
 * and run them. See {@code docs/task-broker-redis.md} for the keys and the data layout.
 *
 * <p>Publishing appends a task to the stream of its name ({@code <prefix>:{<name>}:stream}); a task with a
 * not-before time in the future waits in a sorted set ({@code <prefix>:{<name>}:delayed}) until a broker that polls
 * the name moves it to the stream (an atomic script: one mover wins). Consuming reads the stream through the
 * consumer group {@code workers}, on a dedicated connection and thread per {@link #consume} call, holding at most
 * {@code concurrency} unacknowledged tasks; a task is acknowledged and deleted from the stream (XACK, XDEL) only
 * when its {@link TaskDelivery} stage completes normally. Tasks left unacknowledged for {@code reclaim-idle-time}
 * (their consumer died, or their stage failed or never completed) are claimed by a live consumer (XPENDING IDLE and XCLAIM, as
 * XAUTOCLAIM does, but never the claimer's own running tasks) and
 * delivered again with their delivery count: at least once, so a worker may run a task twice; {@link
 * #redelivered()} counts these second chances. A task delivered more than {@code max-deliveries} times goes to the
 * dead-letter stream ({@code <prefix>:{<name>}:dead}) with a {@link TaskReport.FailureCode#DEAD_LETTER} report.
 *
 * <p>Reports are kept in a list per task ({@code <prefix>:{<name>}:reports:<id>}, time to live {@code result-ttl})
 * and announced on one pub/sub channel per name; the broker holds one pub/sub connection for all its subscriptions
 * and calls listeners on its single report thread ({@code batcher-tasks-reports}), so listeners must not block.
 *
 * <p>Publishes, reports and acknowledgements from concurrent threads are queued and written in batches (one script
 * call or command pair for many), each kind with one batch on its way to Redis at a time: the next batch takes what
 * queued meanwhile, so the busier the broker, the fewer round trips per task.
 *
 * <p>The broker opens its own Lettuce connections from the factory's client (standalone or Sentinel; Redis Cluster is
 * not supported yet): one for publishing, one shared for reports, acknowledgements and the rest, one per consumer
 * for its blocking reads, one for pub/sub. Every blocking call waits at most the factory's command timeout (its
 * block timeout more for blocking reads).
 */
public final class RedisTaskBroker implements TaskBroker {

    private static final System.Logger LOG = System.getLogger(RedisTaskBroker.class.getName());

    /** The consumer group of every task stream. */
    static final String GROUP = "workers";

    private static final byte[] GROUP_BYTES = TaskCodec.bytes(GROUP);
    private static final int MOVE_LIMIT = 1000;

    private static final LuaScript MOVE_DUE = LuaScript.load("task-move-due.lua");
    private static final LuaScript DELAY = LuaScript.load("task-delay.lua");
    private static final LuaScript RECLAIM = LuaScript.load("task-reclaim.lua");
    private static final LuaScript DEAD_LETTER = LuaScript.load("task-dead-letter.lua");
    private static final LuaScript FORGET_CONSUMERS = LuaScript.load("task-forget-consumers.lua");
    /** Dead consumers are looked for on every this many reclaim passes. */
    private static final int FORGET_EVERY_PASSES = 4;
    private static final LuaScript REPORTS = LuaScript.load("task-reports.lua");
    private static final LuaScript PUBLISH = LuaScript.load("task-publish.lua");
    /** The most bytes of tasks or reports one script call carries (it carries one more when that one is larger). */
    static final long MAX_BATCH_BYTES = 1024 * 1024;
    /** The most reports one script call stores. */
    static final int MAX_REPORTS_PER_WRITE = 256;

    private final RedisTaskBrokerOptions options;
    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> shared;
    private final RedisAsyncCommands<byte[], byte[]> redis;
    private final StatefulRedisConnection<byte[], byte[]> publishing;
    /**
     * Publishes on their way at once: enough to pipeline, few enough that none waits in the connection's queue past
     * the client's command timeout (a caller looping over {@code call} waits here instead).
     */
    private final java.util.concurrent.Semaphore publishesInFlight = new java.util.concurrent.Semaphore(
            MAX_PUBLISHES_IN_FLIGHT);
    static final int MAX_PUBLISHES_IN_FLIGHT = 256;
    /** Publishes: one script call per task name and batch ({@link #writeAppends}). */
    private final CoalescedWrites<Append> appends = new CoalescedWrites<>(Integer.MAX_VALUE, MAX_BATCH_BYTES,
            Append::size, batch -> writeGrouped(batch, append -> new Stream(append.stream),
                    (stream, group) -> writeAppends(stream.key, group)));
    /** Reports: one script call per task name and batch ({@link #writeReports}). */
    private final CoalescedWrites<PendingReport> reportWrites = new CoalescedWrites<>(MAX_REPORTS_PER_WRITE,
            MAX_BATCH_BYTES, report -> report.encoded.length,
            batch -> writeGrouped(batch, PendingReport::name, this::writeReports));
    private final Duration timeout;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<TaskConsumer> consumers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger consumerCount = new AtomicInteger();
    private final AtomicLong redelivered = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final Set<String> polledNames = ConcurrentHashMap.newKeySet();
    private final Map<String, Keys> keysByName = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> groupsCreated = new ConcurrentHashMap<>();
    private final Object lazyLock = new Object();
    private ScheduledExecutorService mover;
    private Reports reports;

    /**
     * Creates a broker on the Redis that {@code connectionFactory} points at.
     *
     * @param connectionFactory a started Lettuce connection factory (standalone or Sentinel)
     * @param options keys, times and limits
     * @throws IllegalArgumentException when the factory's client is a Redis Cluster client
     */
    public RedisTaskBroker(LettuceConnectionFactory connectionFactory, RedisTaskBrokerOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        AbstractRedisClient nativeClient = Objects.requireNonNull(connectionFactory, "connectionFactory")
                .getRequiredNativeClient();
        if (!(nativeClient instanceof RedisClient redisClient)) {
            throw new IllegalArgumentException("RedisTaskBroker needs a standalone or Sentinel Redis; the connection "
                    + "factory's client is a " + nativeClient.getClass().getSimpleName() + " (Redis Cluster is not "
                    + "supported yet). Point batcher.tasks at a standalone Redis.");
        }
        this.client = redisClient;
        StatefulRedisConnection<byte[], byte[]> first = null;
        try {
            first = client.connect(ByteArrayCodec.INSTANCE);
            this.publishing = client.connect(ByteArrayCodec.INSTANCE);
        }
        catch (RuntimeException ex) {
            if (first != null) {
                first.close();
            }
            throw new TaskBrokerException("Could not connect to Redis for the task broker: " + ex.getMessage(), ex);
        }
        this.shared = first;
        this.redis = shared.async();
        this.timeout = shared.getTimeout();
    }

    /** The options this broker was created with. */
    public RedisTaskBrokerOptions options() {
        return options;
    }

    /**
     * How many times this broker's consumers delivered a task again after reclaiming it (its first consumer died, or
     * its delivery failed or did not finish within the reclaim idle time): each one may have run twice.
     */
    public long redelivered() {
        return redelivered.get();
    }

    /** How many tasks this broker's consumers moved to a dead-letter stream. */
    public long deadLetteredHere() {
        return deadLettered.get();
    }

    // ---- publish ----

    /**
     * Appends the task to its name's stream, or to the name's delayed set when its not-before time is in the future.
     * Returns once Redis stored it.
     *
     * @throws TaskBrokerException when the payload is over {@code max-payload-bytes} or Redis does not answer
     * @throws IllegalStateException when the broker is closed
     */
    @Override
    public void publish(TaskMessage task) {
        awaitOwn(publishAsync(task), "publish task", task.name());
    }

    /**
     * Like {@link #publish} without waiting: concurrent and consecutive publishes share writes to Redis (pipelined
     * XADDs on the publishing connection).
     *
     * @throws TaskBrokerException when the payload is over {@code max-payload-bytes}
     * @throws IllegalStateException when the broker is closed
     */
    @Override
    public CompletableFuture<Void> publishAsync(TaskMessage task) {
        Objects.requireNonNull(task, "task");
        checkOpen();
        if (task.payload().length > options.maxPayloadBytes()) {
            throw new TaskBrokerException("Task '" + task.name() + "' id " + task.id() + ": the payload has "
                    + task.payload().length + " bytes, more than batcher.tasks.max-payload-bytes="
                    + options.maxPayloadBytes() + "; send a reference to the data instead or raise the limit", null);
        }
        Keys keys = keys(task.name());
        Map<byte[], byte[]> fields = TaskCodec.fields(task);
        if (task.notBefore() != null && task.notBefore().isAfter(Instant.now())) {
            String member = task.id() + ":" + task.attempt();
            byte[][] args = new byte[2 + fields.size() * 2][];
            args[0] = TaskCodec.bytes(Long.toString(task.notBefore().toEpochMilli()));
            args[1] = TaskCodec.bytes(member);
            int i = 2;
            for (Map.Entry<byte[], byte[]> field : fields.entrySet()) {
                args[i++] = field.getKey();
                args[i++] = field.getValue();
            }
            return DELAY.run(redis, ScriptOutputType.INTEGER, new byte[][] {keys.delayed, keys.delayedHash(member)},
                    args).toCompletableFuture().handle((stored, error) -> {
                        if (error != null) {
                            throw new TaskBrokerException("Could not store delayed task '" + task.name() + "' id "
                                    + task.id() + " in Redis: " + error.getMessage(), error);
                        }
                        pollDelayed(task.name());
                        return null;
                    });
        }
        try {
            publishesInFlight.acquire();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new TaskBrokerException("Interrupted while waiting to publish task '" + task.name() + "' id "
                    + task.id(), ex);
        }
        Append append = new Append(keys.stream, fields, new CompletableFuture<>());
        append.done.whenComplete((id, error) -> publishesInFlight.release());
        appends.add(append);
        return append.done.handle((id, error) -> {
            if (error != null) {
                throw new TaskBrokerException("Could not publish task '" + task.name() + "' id " + task.id()
                        + " to Redis: " + error.getMessage(), error);
            }
            return null;
        });
    }

    /**
     * Writes one batch of queued publishes or reports: one write per group ({@code key}: the task's stream or name),
     * completing once every group's write was answered.
     */
    private static <E, K> CompletableFuture<Void> writeGrouped(List<E> batch, Function<E, K> key,
            BiFunction<K, List<E>, CompletableFuture<Void>> write) {
        Map<K, List<E>> groups = new LinkedHashMap<>();
        for (E item : batch) {
            groups.computeIfAbsent(key.apply(item), k -> new ArrayList<>()).add(item);
        }
        List<CompletableFuture<Void>> writes = new ArrayList<>(groups.size());
        groups.forEach((k, group) -> writes.add(write.apply(k, group)));
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    /** One script call appending {@code batch} to {@code stream}; completes each append's stage with its id. */
    private CompletableFuture<Void> writeAppends(byte[] stream, List<Append> batch) {
        List<byte[]> args = new ArrayList<>(batch.size() * 9);
        for (Append append : batch) {
            args.add(TaskCodec.bytes(Integer.toString(append.fields.size() * 2)));
            for (Map.Entry<byte[], byte[]> field : append.fields.entrySet()) {
                args.add(field.getKey());
                args.add(field.getValue());
            }
        }
        CompletionStage<List<Object>> written;
        try {
            written = PUBLISH.run(publishing.async(), ScriptOutputType.MULTI, new byte[][] {stream},
                    args.toArray(new byte[0][]));
        }
        catch (RuntimeException ex) { // the connection is closed
            written = CompletableFuture.failedFuture(ex);
        }
        return written.toCompletableFuture().handle((ids, error) -> {
            for (int i = 0; i < batch.size(); i++) {
                if (error == null && ids != null && i < ids.size()) {
                    batch.get(i).done.complete(text(ids.get(i)));
                }
                else {
                    batch.get(i).done.completeExceptionally(error != null ? error
                            : new TaskBrokerException("Redis answered " + ids + " to " + batch.size() + " XADDs",
                                    null));
                }
            }
            return null;
        });
    }

    /** A stream key as a map key (arrays compare by identity). */
    private record Stream(byte[] key) {

        @Override
        public boolean equals(Object other) {
            return other instanceof Stream that && Arrays.equals(key, that.key);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(key);
        }
    }

    /** One XADD waiting to be written. */
    private record Append(byte[] stream, Map<byte[], byte[]> fields, CompletableFuture<String> done) {

        long size() {
            long size = 0;
            for (Map.Entry<byte[], byte[]> field : fields.entrySet()) {
                size += field.getKey().length + field.getValue().length;
            }
            return size;
        }
    }

    // ---- consume ----

    /**
     * Starts a consumer of {@code name}'s tasks on its own thread ({@code batcher-tasks-<name>-<n>}) and connection.
     * {@link TaskDelivery#deliver} is called on that thread: it should hand the task to a worker pool and return.
     *
     * @throws IllegalArgumentException when {@code concurrency} is below 1
     * @throws IllegalStateException when the broker is closed
     */
    @Override
    public AutoCloseable consume(String name, int concurrency, TaskDelivery worker) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(worker, "worker");
        if (concurrency < 1) {
            throw new IllegalArgumentException("The concurrency of task '" + name + "' must be at least 1, but was "
                    + concurrency);
        }
        checkOpen();
        TaskConsumer consumer = new TaskConsumer(name, concurrency, worker, consumerCount.incrementAndGet());
        consumers.add(consumer);
        pollDelayed(name);
        consumer.start();
        return consumer::close;
    }

    // ---- reports ----

    /**
     * Stores the report in the task's report list (refreshing its time to live) and announces it. Returns once Redis
     * stored it. Reports from concurrent callers share script calls ({@link CoalescedWrites}).
     *
     * @throws TaskBrokerException when Redis does not answer
     */
    @Override
    public void report(TaskReport report) {
        awaitOwn(reportAsync(report), "store report", report.name());
    }

    /**
     * Like {@link #report} without waiting: the report is queued and written with those of concurrent callers.
     *
     * @throws IllegalStateException when the broker is closed
     */
    @Override
    public CompletableFuture<Void> reportAsync(TaskReport report) {
        Objects.requireNonNull(report, "report");
        checkOpen();
        PendingReport pending = new PendingReport(report.name(), keys(report.name()).reports(report.taskId()),
                TaskCodec.encode(report), new CompletableFuture<>());
        reportWrites.add(pending);
        return pending.stored.handle((stored, error) -> {
            if (error != null) {
                throw new TaskBrokerException("Could not store a " + report.kind() + " report of task '"
                        + report.name() + "' id " + report.taskId() + " in Redis: " + error.getMessage(), error);
            }
            return null;
        });
    }

    /** One script call storing and announcing {@code batch} (reports of tasks of {@code name}); completes them. */
    private CompletableFuture<Void> writeReports(String name, List<PendingReport> batch) {
        byte[][] lists = new byte[batch.size()][];
        byte[][] args = new byte[2 + batch.size()][];
        args[0] = ttlMillis();
        args[1] = keys(name).channel;
        for (int i = 0; i < batch.size(); i++) {
            lists[i] = batch.get(i).list;
            args[2 + i] = batch.get(i).encoded;
        }
        CompletionStage<Long> written;
        try {
            written = REPORTS.run(redis, ScriptOutputType.INTEGER, lists, args);
        }
        catch (RuntimeException ex) { // the shared connection is closed
            written = CompletableFuture.failedFuture(ex);
        }
        return written.toCompletableFuture().handle((n, error) -> {
            for (PendingReport pending : batch) {
                if (error == null) {
                    pending.stored.complete(null);
                }
                else {
                    pending.stored.completeExceptionally(error);
                }
            }
            return null;
        });
    }

    /** A report waiting to be written: its task's list and its encoded bytes. */
    private record PendingReport(String name, byte[] list, byte[] encoded, CompletableFuture<Void> stored) {
    }

    @Override
    public AutoCloseable subscribe(String name, String taskId, java.util.function.Consumer<TaskReport> listener) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(listener, "listener");
        checkOpen();
        return reports().subscribe(name, taskId, listener, true);
    }

    /**
     * Like {@link #subscribe} without reading the stored reports first (there are none yet) and without a hop to the
     * report thread: the subscription is registered before the task is published, so every announcement of its
     * reports finds it.
     */
    @Override
    public AutoCloseable subscribeBeforePublish(String name, String taskId,
            java.util.function.Consumer<TaskReport> listener) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(listener, "listener");
        checkOpen();
        return reports().subscribe(name, taskId, listener, false);
    }

    // ---- stats ----

    /**
     * Reads the name's queue from Redis: depth is the stream's length less the pending tasks plus the delayed ones;
     * consumers are those that read within the reclaim idle time.
     *
     * @throws TaskBrokerException when Redis does not answer
     */
    @Override
    public TaskQueueStats stats(String name) {
        Objects.requireNonNull(name, "name");
        checkOpen();
        Keys keys = keys(name);
        CompletableFuture<Long> length = redis.xlen(keys.stream).toCompletableFuture();
        CompletableFuture<Long> delayed = redis.zcard(keys.delayed).toCompletableFuture();
        CompletableFuture<Long> dead = redis.xlen(keys.dead).toCompletableFuture();
        CompletableFuture<Long> pending = redis.xpending(keys.stream, GROUP_BYTES).toCompletableFuture()
                .thenApply(p -> p.getCount()).exceptionally(ex -> 0L); // no group yet
        CompletableFuture<Integer> live = redis.xinfoConsumers(keys.stream, GROUP_BYTES).toCompletableFuture()
                .thenApply(this::liveConsumers).exceptionally(ex -> 0);
        long len = await(length, "read stats", name);
        long pend = await(pending, "read stats", name);
        return new TaskQueueStats(Math.max(0, len - pend) + await(delayed, "read stats", name), pend,
                await(dead, "read stats", name), await(live, "read stats", name));
    }

    private int liveConsumers(List<Object> infos) {
        long limit = options.reclaimIdleTime().toMillis();
        int live = 0;
        for (Object info : infos) {
            List<?> fields = (List<?>) info;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if ("idle".equals(text(fields.get(i))) && ((Number) fields.get(i + 1)).longValue() < limit) {
                    live++;
                }
            }
        }
        return live;
    }

    // ---- close ----

    /**
     * Stops every consumer (the tasks they hold stay pending), subscription and thread of this broker and closes its
     * connections. A second call does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (TaskConsumer consumer : List.copyOf(consumers)) {
            consumer.close();
        }
        ScheduledExecutorService moverNow;
        Reports reportsNow;
        synchronized (lazyLock) {
            moverNow = mover;
            reportsNow = reports;
        }
        if (moverNow != null) {
            moverNow.shutdownNow();
            awaitTermination(moverNow);
        }
        if (reportsNow != null) {
            reportsNow.close();
        }
        shared.close();
        publishing.close();
    }

    // ---- internals ----

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("The Redis task broker is closed; create a new one");
        }
    }

    private Keys keys(String name) {
        Keys keys = keysByName.get(name);
        return keys != null ? keys : keysByName.computeIfAbsent(name, n -> new Keys(options.keyPrefix(), n));
    }

    private byte[] ttlMillis() {
        return TaskCodec.bytes(Long.toString(options.resultTtl().toMillis()));
    }

    /**
     * {@link #await} for a stage of this broker's own {@code ...Async} methods, which already say what failed: their
     * {@link TaskBrokerException} is rethrown as it is, not wrapped in a second one.
     */
    private void awaitOwn(CompletionStage<Void> stage, String what, String name) {
        try {
            await(stage, what, name);
        }
        catch (TaskBrokerException ex) {
            throw ex.getCause() instanceof TaskBrokerException own ? own : ex;
        }
    }

    private <T> T await(CompletionStage<T> stage, String what, String name) {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new TaskBrokerException("Interrupted while waiting for Redis to " + what + " of task '" + name
                    + "'", ex);
        }
        catch (ExecutionException ex) {
            throw new TaskBrokerException("Redis failed to " + what + " of task '" + name + "': "
                    + ex.getCause().getMessage(), ex.getCause());
        }
        catch (TimeoutException ex) {
            throw new TaskBrokerException("Redis did not " + what + " of task '" + name + "' within the command "
                    + "timeout " + timeout + "; is it reachable?", ex);
        }
    }

    private void ensureGroup(RedisAsyncCommands<byte[], byte[]> commands, String name, boolean force) {
        Set<String> done = groupsCreated.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet());
        if (!force && done.contains(GROUP)) {
            return;
        }
        try {
            await(commands.xgroupCreate(XReadArgs.StreamOffset.from(keys(name).stream, "0"), GROUP_BYTES,
                    XGroupCreateArgs.Builder.mkstream()), "create the consumer group", name);
        }
        catch (TaskBrokerException ex) {
            if (!(ex.getCause() instanceof RedisBusyException)
                    && (ex.getCause() == null || !String.valueOf(ex.getCause().getMessage()).contains("BUSYGROUP"))) {
                throw ex;
            }
        }
        done.add(GROUP);
    }

    /** Makes this broker move the name's due delayed tasks to its stream, every delayed poll interval. */
    private void pollDelayed(String name) {
        if (!polledNames.add(name)) {
            return;
        }
        synchronized (lazyLock) {
            if (closed.get()) {
                return;
            }
            if (mover == null) {
                mover = Executors.newSingleThreadScheduledExecutor(threads("batcher-tasks-delayed"));
                long every = options.delayedPollInterval().toNanos();
                mover.scheduleWithFixedDelay(this::moveDue, every, every, TimeUnit.NANOSECONDS);
            }
        }
    }

    private void moveDue() {
        byte[] now = TaskCodec.bytes(Long.toString(System.currentTimeMillis()));
        byte[] limit = TaskCodec.bytes(Integer.toString(MOVE_LIMIT));
        for (String name : polledNames) {
            Keys keys = keys(name);
            try {
                Long moved;
                do {
                    moved = await(MOVE_DUE.run(redis, ScriptOutputType.INTEGER,
                            new byte[][] {keys.delayed, keys.stream}, now, limit, keys.delayedHashPrefix()),
                            "move due delayed tasks", name);
                }
                while (moved != null && moved == MOVE_LIMIT && !closed.get());
            }
            catch (RuntimeException ex) {
                if (!closed.get()) {
                    LOG.log(System.Logger.Level.WARNING, "Task '" + name + "': could not move due delayed tasks; "
                            + "retrying in " + options.delayedPollInterval(), ex);
                }
            }
        }
    }

    private Reports reports() {
        synchronized (lazyLock) {
            checkOpen();
            if (reports == null) {
                reports = new Reports();
            }
            return reports;
        }
    }

    private static ThreadFactory threads(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    private void awaitTermination(ExecutorService executor) {
        try {
            if (!executor.awaitTermination(timeout.toMillis() + options.blockTimeout().toMillis(),
                    TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "A task broker thread did not stop in time");
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static String text(Object value) {
        return value instanceof byte[] bytes ? TaskCodec.string(bytes) : String.valueOf(value);
    }

    /** The Redis keys of one task name, all with the hash tag {@code {name}} so that they share a cluster slot. */
    static final class Keys {

        final String tag;
        final byte[] stream;
        final byte[] dead;
        final byte[] delayed;
        final byte[] channel;

        Keys(String prefix, String name) {
            this.tag = prefix + ":{" + name + "}:";
            this.stream = TaskCodec.bytes(tag + "stream");
            this.dead = TaskCodec.bytes(tag + "dead");
            this.delayed = TaskCodec.bytes(tag + "delayed");
            this.channel = TaskCodec.bytes(tag + "reports");
        }

        byte[] delayedHashPrefix() {
            return TaskCodec.bytes(tag + "delayed:");
        }

        byte[] delayedHash(String member) {
            return TaskCodec.bytes(tag + "delayed:" + member);
        }

        byte[] reports(String taskId) {
            return TaskCodec.bytes(tag + "reports:" + taskId);
        }
    }

    /**
     * One {@link #consume} call: a thread with its own connection that reads new tasks (XREADGROUP ... BLOCK) and
     * reclaims idle ones (XPENDING IDLE and XCLAIM), holding at most {@code concurrency} unacknowledged.
     */
    private final class TaskConsumer {

        private final String name;
        private final int concurrency;
        private final TaskDelivery worker;
        private final Keys keys;
        private final String consumerName;
        private final Consumer<byte[]> self;
        private final Semaphore slots;
        private final Set<String> held = ConcurrentHashMap.newKeySet();
        /** Reclaim passes so far (consumer thread only). */
        private long reclaimPasses;
        /** Acknowledgements: one XACK and one XDEL per batch ({@link #sendAcks}). */
        private final CoalescedWrites<String> acks = new CoalescedWrites<>(Integer.MAX_VALUE, Long.MAX_VALUE,
                id -> 0, this::sendAcks);
        private final CountDownLatch stopped = new CountDownLatch(1);
        private final AtomicBoolean closing = new AtomicBoolean();
        private final Thread thread;
        private volatile StatefulRedisConnection<byte[], byte[]> connection;
        private long nextReclaim;
        private boolean failing;

        TaskConsumer(String name, int concurrency, TaskDelivery worker, int index) {
            this.name = name;
            this.concurrency = concurrency;
            this.worker = worker;
            this.keys = keys(name);
            String threadName = "batcher-tasks-" + name + "-" + index;
            this.consumerName = options.instanceId() + ":" + threadName;
            this.self = Consumer.from(GROUP_BYTES, TaskCodec.bytes(consumerName));
            this.slots = new Semaphore(concurrency);
            this.thread = threads(threadName).newThread(this::run);
        }

        void start() {
            thread.start();
        }

        private void run() {
            try {
                while (!closing.get()) {
                    try {
                        step();
                        if (failing) {
                            failing = false;
                            LOG.log(System.Logger.Level.INFO, "Task '" + name + "': Redis answers again");
                        }
                    }
                    catch (RuntimeException ex) {
                        if (closing.get()) {
                            break;
                        }
                        LOG.log(failing ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING, "Task '" + name
                                + "': consumer " + consumerName + " could not read; retrying every "
                                + options.blockTimeout(), ex);
                        failing = true;
                        dropConnection();
                        stopped.await(options.blockTimeout().toMillis(), TimeUnit.MILLISECONDS);
                    }
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            finally {
                dropConnection();
            }
        }

        private StatefulRedisConnection<byte[], byte[]> connection() {
            StatefulRedisConnection<byte[], byte[]> current = connection;
            if (current == null) {
                current = client.connect(ByteArrayCodec.INSTANCE);
                current.setTimeout(timeout.plus(options.blockTimeout()));
                connection = current;
                if (closing.get()) { // closed while connecting: close() may have missed it
                    dropConnection();
                    throw new IllegalStateException("closed");
                }
                ensureGroup(current.async(), name, failing);
            }
            return current;
        }

        private void dropConnection() {
            StatefulRedisConnection<byte[], byte[]> current = connection;
            connection = null;
            if (current != null) {
                current.closeAsync();
            }
        }

        private void step() throws InterruptedException {
            if (!slots.tryAcquire(options.blockTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                return; // every slot busy: look again (and stop if closed)
            }
            int free = 1 + slots.drainPermits();
            int used = 0;
            try {
                StatefulRedisConnection<byte[], byte[]> commands = connection();
                long now = System.nanoTime();
                if (now - nextReclaim >= 0) {
                    used += reclaim(commands, free);
                    nextReclaim = now + Math.max(options.reclaimIdleTime().toNanos() / 4,
                            TimeUnit.MILLISECONDS.toNanos(5));
                }
                if (used < free && !closing.get()) {
                    long untilReclaim = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextReclaim - System.nanoTime()));
                    long block = Math.min(options.blockTimeout().toMillis(), untilReclaim);
                    List<StreamMessage<byte[], byte[]>> read = commands.sync().xreadgroup(self,
                            XReadArgs.Builder.count(Math.min(free - used, options.readBatch())).block(block),
                            XReadArgs.StreamOffset.lastConsumed(keys.stream));
                    for (StreamMessage<byte[], byte[]> message : read) {
                        if (deliver(message.getId(), message.getBody(), 1)) {
                            used++;
                        }
                    }
                }
            }
            finally {
                slots.release(free - used);
                acks.send();
            }
        }

        private int reclaim(StatefulRedisConnection<byte[], byte[]> commands, int free) {
            List<String> running = List.copyOf(held);
            byte[][] args = new byte[4 + running.size()][];
            args[0] = GROUP_BYTES;
            args[1] = TaskCodec.bytes(consumerName);
            args[2] = TaskCodec.bytes(Long.toString(options.reclaimIdleTime().toMillis()));
            args[3] = TaskCodec.bytes(Integer.toString(free));
            for (int i = 0; i < running.size(); i++) {
                args[4 + i] = TaskCodec.bytes(running.get(i));
            }
            List<Object> claimed = await(RECLAIM.run(commands.async(), ScriptOutputType.MULTI,
                    new byte[][] {keys.stream}, args), "reclaim idle tasks", name);
            int used = 0;
            for (Object entry : claimed) {
                List<?> parts = (List<?>) entry;
                String id = text(parts.get(0));
                Map<byte[], byte[]> body = body((List<?>) parts.get(1));
                int deliveries = ((Number) parts.get(2)).intValue();
                if (deliveries > options.maxDeliveries()) {
                    deadLetter(commands, id, body, deliveries);
                    continue;
                }
                if (deliver(id, body, deliveries)) {
                    redelivered.incrementAndGet();
                    used++;
                }
            }
            if (++reclaimPasses % FORGET_EVERY_PASSES == 0) {
                forgetDeadConsumers(commands);
            }
            return used;
        }

        /**
         * Deletes from the group the consumers that hold nothing and have not read for four reclaim idle times (and
         * four block timeouts): workers that died. Their tasks were reclaimed (claiming moves them to the claimer);
         * without this each killed worker process would stay listed in the group for good. Runs every
         * {@value #FORGET_EVERY_PASSES}th reclaim pass, about once per reclaim idle time: a quarter of the idle
         * threshold, so no more often than it needs.
         */
        private void forgetDeadConsumers(StatefulRedisConnection<byte[], byte[]> commands) {
            long minIdleMillis = 4 * Math.max(options.reclaimIdleTime().toMillis(), options.blockTimeout().toMillis());
            List<Object> forgotten = await(FORGET_CONSUMERS.run(commands.async(), ScriptOutputType.MULTI,
                    new byte[][] {keys.stream}, GROUP_BYTES, TaskCodec.bytes(Long.toString(minIdleMillis)),
                    TaskCodec.bytes(consumerName)), "forget dead consumers", name);
            for (Object consumer : forgotten) {
                LOG.log(System.Logger.Level.INFO, "Task '" + name + "': consumer " + text(consumer) + " held no task"
                        + " and had not read for " + minIdleMillis + " ms; removed it from the group (a dead worker)");
            }
        }

        private void deadLetter(StatefulRedisConnection<byte[], byte[]> commands, String id,
                Map<byte[], byte[]> body, int deliveries) {
            String taskId = TaskCodec.idOf(body);
            byte[] deliveredText = TaskCodec.bytes(Integer.toString(deliveries));
            Long moved;
            if (taskId == null) {
                moved = await(DEAD_LETTER.run(commands.async(), ScriptOutputType.INTEGER,
                        new byte[][] {keys.stream, keys.dead}, GROUP_BYTES, TaskCodec.bytes(id), deliveredText),
                        "dead-letter a task", name);
            }
            else {
                TaskReport report = new TaskReport(taskId, name, TaskReport.Kind.FAIL, null,
                        TaskReport.FailureCode.DEAD_LETTER, "delivered " + deliveries + " times, more than "
                                + "batcher.tasks.max-deliveries=" + options.maxDeliveries() + " (its workers died "
                                + "or did not finish within reclaim-idle-time=" + options.reclaimIdleTime()
                                + "); moved to the dead-letter stream " + TaskCodec.string(keys.dead), Instant.now());
                moved = await(DEAD_LETTER.run(commands.async(), ScriptOutputType.INTEGER,
                        new byte[][] {keys.stream, keys.dead, keys.reports(taskId)}, GROUP_BYTES,
                        TaskCodec.bytes(id), deliveredText, TaskCodec.encode(report), ttlMillis(), keys.channel),
                        "dead-letter a task", name);
            }
            if (moved != null && moved == 1) {
                deadLettered.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "Task '" + name + "' id " + taskId + " was delivered "
                        + deliveries + " times, more than max-deliveries=" + options.maxDeliveries()
                        + "; moved to " + TaskCodec.string(keys.dead));
            }
        }

        /** Hands one task to the worker; false when it was not handed over (running here already, or unreadable). */
        private boolean deliver(String streamId, Map<byte[], byte[]> body, int delivery) {
            TaskMessage task;
            try {
                task = TaskCodec.task(name, body, delivery);
            }
            catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "Task '" + name + "': stream entry " + streamId + " is not a "
                        + "task (" + ex.getMessage() + "); it stays pending until it is dead-lettered", ex);
                return false;
            }
            if (!held.add(streamId)) {
                return false;
            }
            CompletionStage<Void> done;
            try {
                done = worker.deliver(task);
                if (done == null) {
                    done = CompletableFuture.failedFuture(new NullPointerException("TaskDelivery returned null"));
                }
            }
            catch (RuntimeException | Error ex) {
                done = CompletableFuture.failedFuture(ex);
            }
            done.whenComplete((ignored, error) -> settled(streamId, error == null));
            return true;
        }

        private void settled(String streamId, boolean ok) {
            held.remove(streamId);
            if (ok) {
                ack(streamId);
            }
            slots.release();
        }

        private void ack(String streamId) {
            if (Thread.currentThread() == thread) {
                acks.queue(streamId); // the consumer thread sends its acks after each read batch
            }
            else {
                acks.add(streamId);
            }
        }

        /** One XACK and one XDEL for a batch of acknowledgements; completes once Redis answered both. */
        private CompletionStage<?> sendAcks(List<String> ids) {
            String[] batch = ids.toArray(new String[0]);
            try {
                redis.xack(keys.stream, GROUP_BYTES, batch).whenComplete((n, ex) -> {
                    if (ex != null) {
                        LOG.log(System.Logger.Level.WARNING, "Task '" + name + "': " + batch.length
                                + " tasks could not be acknowledged; they run again after the reclaim idle time", ex);
                    }
                });
                return redis.xdel(keys.stream, batch);
            }
            catch (RuntimeException ex) { // the shared connection is closed
                LOG.log(System.Logger.Level.DEBUG, "Task '" + name + "': " + batch.length + " acknowledgements not"
                        + " sent; those tasks run again after the reclaim idle time", ex);
                return CompletableFuture.completedFuture(null);
            }
        }

        void close() {
            if (!closing.compareAndSet(false, true)) {
                return;
            }
            stopped.countDown();
            dropConnection(); // ends a blocking read at once
            try {
                thread.join(timeout.plus(options.blockTimeout()).toMillis());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            consumers.remove(this);
            forgetIfIdle();
        }

        /** Removes this consumer from the group when it holds no pending task, so that it is not counted. */
        private void forgetIfIdle() {
            if (closed.get() && !shared.isOpen()) {
                return;
            }
            try {
                List<?> mine = await(redis.xpending(keys.stream, self, io.lettuce.core.Range.create("-", "+"),
                        io.lettuce.core.Limit.from(1)), "read pending tasks", name);
                if (mine.isEmpty()) {
                    await(redis.xgroupDelconsumer(keys.stream, self), "remove a consumer", name);
                }
            }
            catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.DEBUG, "Task '" + name + "': consumer " + consumerName
                        + " left in the group", ex);
            }
        }
    }

    private static Map<byte[], byte[]> body(List<?> flat) {
        Map<byte[], byte[]> body = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            body.put((byte[]) flat.get(i), (byte[]) flat.get(i + 1));
        }
        return body;
    }

    /**
     * Every subscription of this broker: one pub/sub connection, one channel per task name, and one thread that
     * reads stored reports and calls the listeners in order.
     */
    private final class Reports {

        private final ExecutorService thread = Executors.newSingleThreadExecutor(threads("batcher-tasks-reports"));
        private final StatefulRedisPubSubConnection<byte[], byte[]> pubsub;
        private final Map<String, CompletableFuture<Void>> channels = new ConcurrentHashMap<>();
        private final Map<String, String> namesByChannel = new ConcurrentHashMap<>();
        /**
         * The open subscriptions by task name and id, each list immutable (replaced on change), so that the report
         * thread reads them while callers add and remove theirs.
         */
        private final Map<List<String>, List<Subscription>> subscriptions = new ConcurrentHashMap<>();

        Reports() {
            try {
                pubsub = client.connectPubSub(ByteArrayCodec.INSTANCE);
            }
            catch (RuntimeException ex) {
                thread.shutdown();
                throw new TaskBrokerException("Could not open the task broker's pub/sub connection: "
                        + ex.getMessage(), ex);
            }
            pubsub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(byte[] channel, byte[] message) {
                    String name = namesByChannel.get(TaskCodec.string(channel));
                    if (name != null) {
                        execute(() -> announced(name, message));
                    }
                }
            });
        }

        /**
         * Registers a subscription on the report thread; with {@code stored}, it first reads the reports stored
         * before (else the task is not published yet, and every report of it is announced after this registration).
         */
        AutoCloseable subscribe(String name, String taskId, java.util.function.Consumer<TaskReport> listener,
                boolean stored) {
            Keys keys = keys(name);
            String channel = TaskCodec.string(keys.channel);
            CompletableFuture<Void> subscribed = channels.computeIfAbsent(name, n -> {
                namesByChannel.put(channel, n);
                return pubsub.async().subscribe(keys.channel).toCompletableFuture().thenApply(v -> null);
            });
            try {
                await(subscribed, "subscribe to the reports", name);
            }
            catch (TaskBrokerException ex) {
                channels.remove(name, subscribed);
                throw ex;
            }
            Subscription subscription = new Subscription(name, taskId, keys.reports(taskId), listener);
            if (stored) {
                execute(() -> {
                    add(subscription);
                    load(subscription);
                });
            }
            else {
                add(subscription); // no hop to the report thread: nothing to read, nothing announced yet
            }
            return () -> {
                subscription.closed = true;
                if (!subscription.done) {
                    forget(subscription);
                }
            };
        }

        private void add(Subscription subscription) {
            subscriptions.compute(List.of(subscription.name, subscription.taskId), (key, subs) -> {
                if (subs == null) {
                    return List.of(subscription);
                }
                List<Subscription> more = new ArrayList<>(subs.size() + 1);
                more.addAll(subs);
                more.add(subscription);
                return List.copyOf(more);
            });
        }

        private void execute(Runnable action) {
            try {
                thread.execute(() -> {
                    try {
                        action.run();
                    }
                    catch (RuntimeException ex) {
                        LOG.log(System.Logger.Level.WARNING, "Task reports: a subscription step failed", ex);
                    }
                });
            }
            catch (RejectedExecutionException ex) {
                // closed
            }
        }

        /** Reads the reports stored after the last one delivered, then delivers them and what arrived meanwhile. */
        private void load(Subscription subscription) {
            subscription.loading = true;
            long from = subscription.delivered;
            redis.lrange(subscription.key, from, -1).whenComplete((stored, error) -> execute(() -> {
                if (error != null) {
                    LOG.log(System.Logger.Level.WARNING, "Task '" + subscription.name + "' id " + subscription.taskId
                            + ": could not read its stored reports; waiting for new ones", error);
                }
                long seq = from;
                for (byte[] value : error == null ? stored : List.<byte[]>of()) {
                    seq++;
                    offer(subscription, seq, TaskCodec.decode(value, 0));
                }
                subscription.loading = false;
                TreeMap<Long, TaskReport> early = subscription.early;
                subscription.early = new TreeMap<>();
                early.forEach((n, report) -> offer(subscription, n, report));
            }));
        }

        /**
         * An announcement: {@code <position>:<report>} (one report, from the dead-letter script) or {@code +} then
         * {@code <position>:<length>:<report>} for each of several (from {@code task-reports.lua}).
         */
        private void announced(String name, byte[] message) {
            if (message.length > 0 && message[0] == '+') {
                int at = 1;
                while (at < message.length) {
                    int colon = indexOf(message, ':', at);
                    long seq = parseLong(message, at, colon);
                    int lengthEnd = indexOf(message, ':', colon + 1);
                    int length = (int) parseLong(message, colon + 1, lengthEnd);
                    int end = lengthEnd + 1 + length;
                    if (length < 0 || end > message.length) {
                        throw new IllegalArgumentException("an announcement on the reports channel of task '" + name
                                + "' ends inside a report");
                    }
                    announced(name, seq, TaskCodec.decode(message, lengthEnd + 1, length));
                    at = end;
                }
                return;
            }
            int colon = indexOf(message, ':', 0);
            announced(name, parseLong(message, 0, colon), TaskCodec.decode(message, colon + 1));
        }

        private static int indexOf(byte[] message, char wanted, int from) {
            for (int i = from; i < message.length; i++) {
                if (message[i] == wanted) {
                    return i;
                }
            }
            throw new IllegalArgumentException("not a report announcement: no '" + wanted + "' after byte " + from);
        }

        private static long parseLong(byte[] message, int from, int to) {
            return Long.parseLong(new String(message, from, to - from, java.nio.charset.StandardCharsets.US_ASCII));
        }

        private void announced(String name, long seq, TaskReport report) {
            List<Subscription> subs = subscriptions.get(List.of(name, report.taskId()));
            if (subs == null) {
                return;
            }
            for (Subscription subscription : subs) {
                if (subscription.loading) {
                    subscription.early.put(seq, report);
                }
                else if (seq > subscription.delivered + 1) { // missed some (a reconnect): read them from the list
                    subscription.early.put(seq, report);
                    load(subscription);
                }
                else {
                    offer(subscription, seq, report);
                }
            }
        }

        private void offer(Subscription subscription, long seq, TaskReport report) {
            if (seq != subscription.delivered + 1 || subscription.done) {
                return; // delivered already
            }
            subscription.delivered = seq;
            if (report.isFinal()) {
                subscription.done = true;
                forget(subscription);
            }
            if (subscription.closed) {
                return;
            }
            try {
                subscription.listener.accept(report);
            }
            catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "Task '" + subscription.name + "' id " + subscription.taskId
                        + ": a report listener failed", ex);
            }
        }

        private void forget(Subscription subscription) {
            subscriptions.computeIfPresent(List.of(subscription.name, subscription.taskId), (key, subs) -> {
                List<Subscription> rest = new ArrayList<>(subs);
                rest.remove(subscription);
                return rest.isEmpty() ? null : List.copyOf(rest);
            });
        }

        void close() {
            thread.shutdownNow();
            awaitTermination(thread);
            pubsub.close();
        }
    }

    /** One subscriber of one task's reports; its state is touched on the report thread only. */
    private static final class Subscription {

        final String name;
        final String taskId;
        final byte[] key;
        final java.util.function.Consumer<TaskReport> listener;
        volatile boolean closed;
        long delivered;
        boolean loading;
        /** Set on the report thread once the final report was delivered (it then forgot the subscription). */
        volatile boolean done;
        TreeMap<Long, TaskReport> early = new TreeMap<>();

        Subscription(String name, String taskId, byte[] key, java.util.function.Consumer<TaskReport> listener) {
            this.name = name;
            this.taskId = taskId;
            this.key = key;
            this.listener = listener;
        }
    }
}
