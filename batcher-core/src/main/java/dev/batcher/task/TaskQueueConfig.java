package dev.batcher.task;

import dev.batcher.InvalidOptionException;
import dev.batcher.RetryOptions;
import dev.batcher.time.Scheduler;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Immutable options of a {@link TaskQueue}, built and validated by {@link Builder}. Option names in errors are the
 * property keys the Spring Boot starter binds under {@code batcher.tasks.}.
 */
public final class TaskQueueConfig {

    /** Default {@code concurrency}: attempts of one task name running at once in this process. */
    public static final int DEFAULT_CONCURRENCY = 4;

    /** Default {@code timeout}: the longest one attempt may run. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    /** Default {@code retry.*}: one attempt (no retry); when raised, 1 s doubling up to 5 min. */
    public static final RetryOptions DEFAULT_RETRY =
            new RetryOptions(1, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5));

    /** Default {@code max-payload-bytes}: 1 MiB. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;

    /** Default {@code drain-timeout}: how long {@link TaskQueue#close()} waits for calls to end. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    /** Where calls run. */
    public enum Mode {
        /** In this process, on its worker pools; no broker, no marshalling where argument types already fit. */
        LOCAL,
        /** Through a {@link TaskBroker} (Redis Streams), on workers of any process. */
        REMOTE
    }

    /** What this process does in remote mode. */
    public enum Role {
        /** Calls tasks and runs the registered workers. */
        BOTH,
        /** Only calls tasks: no consumer is started. */
        CLIENT,
        /** Runs the registered workers (it may still call tasks). */
        WORKER
    }

    private final Mode mode;
    private final Role role;
    private final int concurrency;
    private final Map<String, Integer> concurrencyPerTask;
    private final Duration timeout;
    private final RetryOptions retry;
    private final int maxPayloadBytes;
    private final Duration drainTimeout;
    private final TaskMarshaller marshaller;
    private final TaskIdMaker idMaker;
    private final Scheduler scheduler;

    private TaskQueueConfig(Builder b) {
        this.mode = b.mode;
        this.role = b.role;
        this.concurrency = b.concurrency;
        this.concurrencyPerTask = Map.copyOf(b.concurrencyPerTask);
        this.timeout = b.timeout;
        this.retry = b.retry;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.drainTimeout = b.drainTimeout;
        this.marshaller = b.marshaller;
        this.idMaker = b.idMaker;
        this.scheduler = b.scheduler;
    }

    /** A builder with every option at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from the options of {@code base}.
     *
     * @param base the options to copy
     * @return a new builder
     */
    public static Builder from(TaskQueueConfig base) {
        return new Builder(base);
    }

    /** Every option at its default: local mode. */
    public static TaskQueueConfig defaults() {
        return builder().build();
    }

    /** {@code mode}: {@code local} or {@code remote} (the starter's {@code redis}). */
    public Mode mode() {
        return mode;
    }

    /** {@code role}: in remote mode, whether this process calls, runs workers, or both. */
    public Role role() {
        return role;
    }

    /** {@code concurrency}: attempts of one task name running at once in this process, unless set per task. */
    public int concurrency() {
        return concurrency;
    }

    /**
     * {@code workers.<name>.concurrency}, else {@code concurrency}.
     *
     * @param taskName the task name
     * @return attempts of that task running at once in this process
     */
    public int concurrency(String taskName) {
        return concurrencyPerTask.getOrDefault(taskName, concurrency);
    }

    /** {@code workers.<name>.concurrency} for every task set so. */
    public Map<String, Integer> concurrencyPerTask() {
        return concurrencyPerTask;
    }

    /** {@code timeout}: the longest one attempt may run; past it the worker is interrupted and the call fails. */
    public Duration timeout() {
        return timeout;
    }

    /** {@code retry.*}: attempts per call and the back-off between them. */
    public RetryOptions retry() {
        return retry;
    }

    /** {@code max-payload-bytes}: the largest marshalled arguments accepted, on both the caller and worker side. */
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** {@code drain-timeout}: how long {@link TaskQueue#close()} waits for calls to end. */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    /** The marshaller ({@link TaskMarshaller#json()} by default). */
    public TaskMarshaller marshaller() {
        return marshaller;
    }

    /** The id maker ({@link TaskIdMaker#uuid()} by default). */
    public TaskIdMaker idMaker() {
        return idMaker;
    }

    /** The clock and timer, or {@code null} for a timer thread of the queue's own. */
    public Scheduler scheduler() {
        return scheduler;
    }

    /** Builds a {@link TaskQueueConfig}; {@link #build()} validates. */
    public static final class Builder {

        private Mode mode = Mode.LOCAL;
        private Role role = Role.BOTH;
        private int concurrency = DEFAULT_CONCURRENCY;
        private final Map<String, Integer> concurrencyPerTask = new TreeMap<>();
        private Duration timeout = DEFAULT_TIMEOUT;
        private RetryOptions retry = DEFAULT_RETRY;
        private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private TaskMarshaller marshaller = TaskMarshaller.json();
        private TaskIdMaker idMaker = TaskIdMaker.uuid();
        private Scheduler scheduler;

        private Builder() {
        }

        private Builder(TaskQueueConfig base) {
            mode = base.mode;
            role = base.role;
            concurrency = base.concurrency;
            concurrencyPerTask.putAll(base.concurrencyPerTask);
            timeout = base.timeout;
            retry = base.retry;
            maxPayloadBytes = base.maxPayloadBytes;
            drainTimeout = base.drainTimeout;
            marshaller = base.marshaller;
            idMaker = base.idMaker;
            scheduler = base.scheduler;
        }

        /**
         * Sets {@code mode}.
         *
         * @param mode local or remote
         * @return this builder
         */
        public Builder mode(Mode mode) {
            this.mode = mode;
            return this;
        }

        /**
         * Sets {@code role}.
         *
         * @param role what this process does in remote mode
         * @return this builder
         */
        public Builder role(Role role) {
            this.role = role;
            return this;
        }

        /**
         * Sets {@code concurrency}.
         *
         * @param concurrency at least 1
         * @return this builder
         */
        public Builder concurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        /**
         * Sets {@code workers.<name>.concurrency}.
         *
         * @param taskName the task name
         * @param concurrency at least 1
         * @return this builder
         */
        public Builder concurrency(String taskName, int concurrency) {
            concurrencyPerTask.put(Objects.requireNonNull(taskName, "taskName"), concurrency);
            return this;
        }

        /**
         * Sets {@code timeout}.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * Sets {@code retry.*}.
         *
         * @param retry attempts and back-off
         * @return this builder
         */
        public Builder retry(RetryOptions retry) {
            this.retry = retry;
            return this;
        }

        /**
         * Sets {@code max-payload-bytes}.
         *
         * @param maxPayloadBytes at least 16
         * @return this builder
         */
        public Builder maxPayloadBytes(int maxPayloadBytes) {
            this.maxPayloadBytes = maxPayloadBytes;
            return this;
        }

        /**
         * Sets {@code drain-timeout}.
         *
         * @param drainTimeout zero or positive
         * @return this builder
         */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = drainTimeout;
            return this;
        }

        /**
         * Sets the marshaller.
         *
         * @param marshaller the marshaller
         * @return this builder
         */
        public Builder marshaller(TaskMarshaller marshaller) {
            this.marshaller = marshaller;
            return this;
        }

        /**
         * Sets the id maker.
         *
         * @param idMaker the id maker
         * @return this builder
         */
        public Builder idMaker(TaskIdMaker idMaker) {
            this.idMaker = idMaker;
            return this;
        }

        /**
         * Sets the clock and timer (tests).
         *
         * @param scheduler the scheduler, or {@code null} for the queue's own
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the options
         * @throws InvalidOptionException naming the first invalid option
         */
        public TaskQueueConfig build() {
            check(mode != null, "mode", mode, "must be local or remote");
            check(role != null, "role", role, "must be both, client or worker");
            check(concurrency >= 1, "concurrency", concurrency, "must be at least 1");
            concurrencyPerTask.forEach((name, value) -> check(value != null && value >= 1,
                    "workers." + name + ".concurrency", value, "must be at least 1"));
            check(timeout != null && !timeout.isNegative() && !timeout.isZero(), "timeout", timeout,
                    "must be positive, such as 30s");
            check(retry != null, "retry", retry, "must be set (retry.max-attempts=1 for no retry)");
            check(maxPayloadBytes >= 16, "max-payload-bytes", maxPayloadBytes, "must be at least 16, such as 1MB");
            check(drainTimeout != null && !drainTimeout.isNegative(), "drain-timeout", drainTimeout,
                    "must be zero or positive, such as 30s");
            check(marshaller != null, "marshaller", marshaller, "must be set (TaskMarshaller.json() is the default)");
            check(idMaker != null, "id-maker", idMaker, "must be set (TaskIdMaker.uuid() is the default)");
            return new TaskQueueConfig(this);
        }

        private static void check(boolean ok, String option, Object value, String problem) {
            if (!ok) {
                throw new InvalidOptionException(option, Objects.toString(value), problem);
            }
        }
    }
}
