package dev.batcher.dispatch;

import dev.batcher.limit.SendGate;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.springframework.retry.RetryPolicy;
import org.springframework.retry.backoff.BackOffPolicy;
import org.springframework.retry.backoff.ExponentialBackOffPolicy;
import org.springframework.retry.policy.AlwaysRetryPolicy;
import org.springframework.retry.policy.MaxAttemptsRetryPolicy;

/**
 * Immutable options of a {@link Dispatcher}, built and validated by {@link Builder}. Option names in errors are the
 * property keys the Spring Boot starter binds under {@code batcher.dispatchers.<name>.}; luci's names are given for
 * comparison.
 *
 * @param <T> the item type
 */
public final class DispatcherConfig<T> {

    /** Default {@code max-batch-items}. */
    public static final int DEFAULT_MAX_BATCH_ITEMS = 100;

    /** Default {@code max-batch-age}. */
    public static final Duration DEFAULT_MAX_BATCH_AGE = Duration.ofMillis(100);

    /** Default {@code max-concurrent-sends} (luci's MaxLeases default). */
    public static final int DEFAULT_MAX_CONCURRENT_SENDS = 4;

    /** Default {@code buffer.max-items}. */
    public static final int DEFAULT_BUFFER_MAX_ITEMS = 10_000;

    /** Default {@code buffer.block-timeout}. */
    public static final Duration DEFAULT_BLOCK_TIMEOUT = Duration.ofSeconds(10);

    /** Default {@code retry.initial-backoff} (luci's default). */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);

    /** Default {@code retry.multiplier} (luci's default). */
    public static final double DEFAULT_MULTIPLIER = 1.2;

    /** Default {@code retry.max-backoff} (luci's default). */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(60);

    /** Default {@code send-timeout}. */
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);

    /** Default drain timeout of {@link Dispatcher#close()}. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    /** {@code retry.max-attempts} value meaning "retry until sent" (luci's default). */
    public static final int UNLIMITED = -1;

    private final int maxBatchItems;
    private final long maxBatchBytes;
    private final Duration maxBatchAge;
    private final int maxConcurrentSends;
    private final Ordering ordering;
    private final Function<? super T, ?> keyExtractor;
    private final int bufferMaxItems;
    private final long bufferMaxBytes;
    private final FullBehavior fullBehavior;
    private final Duration blockTimeout;
    private final double batchesPerSecond;
    private final int burst;
    private final double minBatchesPerSecond;
    private final SendGate sendGate;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final double multiplier;
    private final Duration maxBackoff;
    private final RetryPolicy retryPolicy;
    private final BackOffPolicy backOffPolicy;
    private final RetryPolicy explicitRetryPolicy;
    private final BackOffPolicy explicitBackOffPolicy;
    private final Duration sendTimeout;
    private final Duration drainTimeout;
    private final ItemSizer<? super T> itemSizer;
    private final ErrorHandler<T> errorHandler;
    private final DropHandler<T> dropHandler;
    private final Runnable drainedCallback;
    private final DispatcherListener listener;
    private final Scheduler scheduler;

    private DispatcherConfig(Builder<T> b) {
        this.maxBatchItems = b.maxBatchItems;
        this.maxBatchBytes = b.maxBatchBytes;
        this.maxBatchAge = b.maxBatchAge;
        this.maxConcurrentSends = b.maxConcurrentSends;
        this.ordering = b.ordering;
        this.keyExtractor = b.keyExtractor;
        this.bufferMaxItems = b.bufferMaxItems;
        this.bufferMaxBytes = b.bufferMaxBytes;
        this.fullBehavior = b.fullBehavior;
        this.blockTimeout = b.blockTimeout;
        this.batchesPerSecond = b.batchesPerSecond;
        this.burst = b.burst;
        this.minBatchesPerSecond = b.minBatchesPerSecond;
        this.sendGate = b.sendGate;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.multiplier = b.multiplier;
        this.maxBackoff = b.maxBackoff;
        this.explicitRetryPolicy = b.retryPolicy;
        this.explicitBackOffPolicy = b.backOffPolicy;
        this.retryPolicy = b.retryPolicy != null ? b.retryPolicy
                : maxAttempts == UNLIMITED ? new AlwaysRetryPolicy() : new MaxAttemptsRetryPolicy(maxAttempts);
        this.backOffPolicy = b.backOffPolicy != null ? b.backOffPolicy : exponential(initialBackoff, multiplier, maxBackoff);
        this.sendTimeout = b.sendTimeout;
        this.drainTimeout = b.drainTimeout;
        this.itemSizer = b.itemSizer;
        this.errorHandler = b.errorHandler != null ? b.errorHandler : ErrorHandler.retryTransient();
        this.dropHandler = b.dropHandler;
        this.drainedCallback = b.drainedCallback;
        this.listener = b.listener != null ? b.listener : DispatcherListener.NONE;
        this.scheduler = b.scheduler;
    }

    private static ExponentialBackOffPolicy exponential(Duration initial, double multiplier, Duration max) {
        ExponentialBackOffPolicy policy = new ExponentialBackOffPolicy();
        policy.setInitialInterval(initial.toMillis());
        policy.setMultiplier(multiplier);
        policy.setMaxInterval(max.toMillis());
        return policy;
    }

    /**
     * A builder with every option at its default.
     *
     * @param <T> the item type
     * @return a new builder
     */
    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /**
     * A builder starting from the options of {@code base}.
     *
     * @param base the options to copy
     * @param <T> the item type
     * @return a new builder
     */
    public static <T> Builder<T> from(DispatcherConfig<T> base) {
        return new Builder<>(base);
    }

    /** The options with every default, for items of any type. */
    public static <T> DispatcherConfig<T> defaults() {
        return new Builder<T>().build();
    }

    /** {@code max-batch-items} (luci BatchItemsMax): a batch is cut when it holds this many items. */
    public int maxBatchItems() {
        return maxBatchItems;
    }

    /** {@code max-batch-bytes} (luci BatchSizeMax): a batch is cut before it would exceed this size; -1: no limit. */
    public long maxBatchBytes() {
        return maxBatchBytes;
    }

    /** {@code max-batch-age} (luci BatchAgeMax): a partly filled batch is cut this long after its first item. */
    public Duration maxBatchAge() {
        return maxBatchAge;
    }

    /** {@code max-concurrent-sends} (luci MaxLeases): batches sent in parallel at most. */
    public int maxConcurrentSends() {
        return maxConcurrentSends;
    }

    /** {@code ordering}: the order guarantee. */
    public Ordering ordering() {
        return ordering;
    }

    /** The key of an item for {@link Ordering#PER_KEY}; {@code null} otherwise. */
    public Function<? super T, ?> keyExtractor() {
        return keyExtractor;
    }

    /** {@code buffer.max-items}: items buffered at most, counting batches being sent or waiting for a retry. */
    public int bufferMaxItems() {
        return bufferMaxItems;
    }

    /** {@code buffer.max-bytes}: bytes buffered at most, like {@link #bufferMaxItems()}; -1: no limit. */
    public long bufferMaxBytes() {
        return bufferMaxBytes;
    }

    /** {@code buffer.full-behavior}: what a submit does when the buffer is full. */
    public FullBehavior fullBehavior() {
        return fullBehavior;
    }

    /** {@code buffer.block-timeout}: how long a blocked submit waits for room. */
    public Duration blockTimeout() {
        return blockTimeout;
    }

    /** {@code rate-limit.batches-per-second} (luci QPSLimit): 0 means no limit. */
    public double batchesPerSecond() {
        return batchesPerSecond;
    }

    /** {@code rate-limit.burst}: sends allowed at once after a quiet period. */
    public int burst() {
        return burst;
    }

    /** {@code rate-limit.min-batches-per-second} (luci MinQPS): empty heartbeat batches keep this rate; 0: off. */
    public double minBatchesPerSecond() {
        return minBatchesPerSecond;
    }

    /** A custom gate consulted before every send instead of the rate limit, or {@code null}. */
    public SendGate sendGate() {
        return sendGate;
    }

    /** {@code retry.max-attempts}: attempts per batch including the first; {@link #UNLIMITED} retries forever. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** {@code retry.initial-backoff}: the wait before the first retry. */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /** {@code retry.multiplier}: each wait is the previous one times this. */
    public double multiplier() {
        return multiplier;
    }

    /** {@code retry.max-backoff}: the longest wait between attempts. */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /** The spring-retry policy deciding whether another attempt is allowed (built from the retry options). */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /** The spring-retry back-off policy computing the waits (built from the retry options). */
    public BackOffPolicy backOffPolicy() {
        return backOffPolicy;
    }

    /** {@code send-timeout}: an attempt running longer counts as failed and its thread is interrupted. */
    public Duration sendTimeout() {
        return sendTimeout;
    }

    /** How long {@link Dispatcher#close()} waits for the drain. */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    /** Sizes items for the byte limits, or {@code null}. */
    public ItemSizer<? super T> itemSizer() {
        return itemSizer;
    }

    /** Decides whether a failed batch is retried. */
    public ErrorHandler<T> errorHandler() {
        return errorHandler;
    }

    /** Told about dropped items, or {@code null} (drops are then logged). */
    public DropHandler<T> dropHandler() {
        return dropHandler;
    }

    /** Called exactly once when the dispatcher is closed and drained, or {@code null}. */
    public Runnable drainedCallback() {
        return drainedCallback;
    }

    /** Observes sends and blocked producers. */
    public DispatcherListener listener() {
        return listener;
    }

    /** The clock and timer, or {@code null} for a timer thread of the dispatcher's own. */
    public Scheduler scheduler() {
        return scheduler;
    }

    /**
     * Builds {@link DispatcherConfig}. Every option has a default; {@link #build()} checks them together and throws
     * {@link InvalidOptionException} naming the option, its value and the fix.
     *
     * @param <T> the item type
     */
    public static final class Builder<T> {

        private int maxBatchItems = DEFAULT_MAX_BATCH_ITEMS;
        private long maxBatchBytes = -1;
        private Duration maxBatchAge = DEFAULT_MAX_BATCH_AGE;
        private int maxConcurrentSends = DEFAULT_MAX_CONCURRENT_SENDS;
        private Ordering ordering = Ordering.NONE;
        private Function<? super T, ?> keyExtractor;
        private int bufferMaxItems = DEFAULT_BUFFER_MAX_ITEMS;
        private long bufferMaxBytes = -1;
        private FullBehavior fullBehavior = FullBehavior.BLOCK;
        private Duration blockTimeout = DEFAULT_BLOCK_TIMEOUT;
        private double batchesPerSecond;
        private int burst = 1;
        private double minBatchesPerSecond;
        private SendGate sendGate;
        private int maxAttempts = UNLIMITED;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private double multiplier = DEFAULT_MULTIPLIER;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private RetryPolicy retryPolicy;
        private BackOffPolicy backOffPolicy;
        private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private ItemSizer<? super T> itemSizer;
        private ErrorHandler<T> errorHandler;
        private DropHandler<T> dropHandler;
        private Runnable drainedCallback;
        private DispatcherListener listener;
        private Scheduler scheduler;

        private Builder() {
        }

        private Builder(DispatcherConfig<T> c) {
            maxBatchItems = c.maxBatchItems;
            maxBatchBytes = c.maxBatchBytes;
            maxBatchAge = c.maxBatchAge;
            maxConcurrentSends = c.maxConcurrentSends;
            ordering = c.ordering;
            keyExtractor = c.keyExtractor;
            bufferMaxItems = c.bufferMaxItems;
            bufferMaxBytes = c.bufferMaxBytes;
            fullBehavior = c.fullBehavior;
            blockTimeout = c.blockTimeout;
            batchesPerSecond = c.batchesPerSecond;
            burst = c.burst;
            minBatchesPerSecond = c.minBatchesPerSecond;
            sendGate = c.sendGate;
            maxAttempts = c.maxAttempts;
            initialBackoff = c.initialBackoff;
            multiplier = c.multiplier;
            maxBackoff = c.maxBackoff;
            retryPolicy = c.explicitRetryPolicy;
            backOffPolicy = c.explicitBackOffPolicy;
            sendTimeout = c.sendTimeout;
            drainTimeout = c.drainTimeout;
            itemSizer = c.itemSizer;
            errorHandler = c.errorHandler;
            dropHandler = c.dropHandler;
            drainedCallback = c.drainedCallback;
            listener = c.listener;
            scheduler = c.scheduler;
        }

        /** See {@link DispatcherConfig#maxBatchItems()}. Default 100. */
        public Builder<T> maxBatchItems(int maxBatchItems) {
            this.maxBatchItems = maxBatchItems;
            return this;
        }

        /** See {@link DispatcherConfig#maxBatchBytes()}. Default -1 (no limit); needs {@link #itemSizer}. */
        public Builder<T> maxBatchBytes(long maxBatchBytes) {
            this.maxBatchBytes = maxBatchBytes;
            return this;
        }

        /** See {@link DispatcherConfig#maxBatchAge()}. Default 100 ms. */
        public Builder<T> maxBatchAge(Duration maxBatchAge) {
            this.maxBatchAge = maxBatchAge;
            return this;
        }

        /** See {@link DispatcherConfig#maxConcurrentSends()}. Default 4. */
        public Builder<T> maxConcurrentSends(int maxConcurrentSends) {
            this.maxConcurrentSends = maxConcurrentSends;
            return this;
        }

        /** See {@link DispatcherConfig#ordering()}. Default {@link Ordering#NONE}. */
        public Builder<T> ordering(Ordering ordering) {
            this.ordering = ordering;
            return this;
        }

        /** The key of an item, required by {@link Ordering#PER_KEY}; it must not return {@code null}. */
        public Builder<T> keyExtractor(Function<? super T, ?> keyExtractor) {
            this.keyExtractor = keyExtractor;
            return this;
        }

        /** See {@link DispatcherConfig#bufferMaxItems()}. Default 10,000. */
        public Builder<T> bufferMaxItems(int bufferMaxItems) {
            this.bufferMaxItems = bufferMaxItems;
            return this;
        }

        /** See {@link DispatcherConfig#bufferMaxBytes()}. Default -1 (no limit); needs {@link #itemSizer}. */
        public Builder<T> bufferMaxBytes(long bufferMaxBytes) {
            this.bufferMaxBytes = bufferMaxBytes;
            return this;
        }

        /** See {@link DispatcherConfig#fullBehavior()}. Default {@link FullBehavior#BLOCK}. */
        public Builder<T> fullBehavior(FullBehavior fullBehavior) {
            this.fullBehavior = fullBehavior;
            return this;
        }

        /** See {@link DispatcherConfig#blockTimeout()}. Default 10 s. */
        public Builder<T> blockTimeout(Duration blockTimeout) {
            this.blockTimeout = blockTimeout;
            return this;
        }

        /**
         * Limits sends to {@code batchesPerSecond} with bursts of {@code burst} (luci QPSLimit), across all
         * concurrent senders. Default: no limit.
         */
        public Builder<T> rateLimit(double batchesPerSecond, int burst) {
            this.batchesPerSecond = batchesPerSecond;
            this.burst = burst;
            return this;
        }

        /** See {@link DispatcherConfig#minBatchesPerSecond()}. Default 0 (no heartbeats). */
        public Builder<T> minBatchesPerSecond(double minBatchesPerSecond) {
            this.minBatchesPerSecond = minBatchesPerSecond;
            return this;
        }

        /** A gate asked before every send (cost 1 per batch); replaces the rate limit. */
        public Builder<T> sendGate(SendGate sendGate) {
            this.sendGate = sendGate;
            return this;
        }

        /**
         * Exponential retry like luci's default: {@code maxAttempts} attempts in all ({@link #UNLIMITED} for no
         * limit), waiting {@code initialBackoff}, then times {@code multiplier} each time, at most
         * {@code maxBackoff}. Defaults: unlimited, 200 ms, 1.2, 60 s.
         */
        public Builder<T> retry(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff) {
            this.maxAttempts = maxAttempts;
            this.initialBackoff = initialBackoff;
            this.multiplier = multiplier;
            this.maxBackoff = maxBackoff;
            return this;
        }

        /** A spring-retry policy to use instead of the one built from {@link #retry}. */
        public Builder<T> retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = retryPolicy;
            return this;
        }

        /**
         * A spring-retry back-off policy to use instead of the one built from {@link #retry}. A
         * {@code SleepingBackOffPolicy} (exponential, fixed, random) is asked for the wait and never sleeps: the
         * wait is scheduled, so a batch waiting for a retry holds no thread.
         */
        public Builder<T> backOffPolicy(BackOffPolicy backOffPolicy) {
            this.backOffPolicy = backOffPolicy;
            return this;
        }

        /** See {@link DispatcherConfig#sendTimeout()}. Default 30 s. */
        public Builder<T> sendTimeout(Duration sendTimeout) {
            this.sendTimeout = sendTimeout;
            return this;
        }

        /** See {@link DispatcherConfig#drainTimeout()}. Default 30 s. */
        public Builder<T> drainTimeout(Duration drainTimeout) {
            this.drainTimeout = drainTimeout;
            return this;
        }

        /** See {@link DispatcherConfig#itemSizer()}. Required by the byte limits. */
        public Builder<T> itemSizer(ItemSizer<? super T> itemSizer) {
            this.itemSizer = itemSizer;
            return this;
        }

        /** See {@link DispatcherConfig#errorHandler()}. Default {@link ErrorHandler#retryTransient()}. */
        public Builder<T> errorHandler(ErrorHandler<T> errorHandler) {
            this.errorHandler = errorHandler;
            return this;
        }

        /** See {@link DispatcherConfig#dropHandler()}. Default: drops are logged. */
        public Builder<T> dropHandler(DropHandler<T> dropHandler) {
            this.dropHandler = dropHandler;
            return this;
        }

        /** See {@link DispatcherConfig#drainedCallback()}. */
        public Builder<T> drainedCallback(Runnable drainedCallback) {
            this.drainedCallback = drainedCallback;
            return this;
        }

        /** See {@link DispatcherConfig#listener()}. */
        public Builder<T> listener(DispatcherListener listener) {
            this.listener = listener;
            return this;
        }

        /** See {@link DispatcherConfig#scheduler()}. A scheduler passed here is not shut down by the dispatcher. */
        public Builder<T> scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /** The listener set so far, or {@code null}: lets a framework compose its own listener with it. */
        public DispatcherListener listener() {
            return listener;
        }

        /** The drained callback set so far, or {@code null}: lets a framework compose its own with it. */
        public Runnable drainedCallback() {
            return drainedCallback;
        }

        /**
         * Validates the options and builds the configuration.
         *
         * @return the configuration
         * @throws InvalidOptionException naming the first invalid option, its value and the fix
         */
        public DispatcherConfig<T> build() {
            validate();
            return new DispatcherConfig<>(this);
        }

        private void validate() {
            check(maxBatchItems >= 1, "max-batch-items", maxBatchItems, "must be at least 1");
            check(maxBatchBytes == -1 || maxBatchBytes >= 1, "max-batch-bytes", maxBatchBytes,
                    "must be at least 1, or -1 for no limit");
            check(maxBatchBytes == -1 || itemSizer != null, "max-batch-bytes", maxBatchBytes,
                    "a byte limit needs an item sizer to measure items; set one or remove the limit");
            positive(maxBatchAge, "max-batch-age", "a batch must be cut after a positive age, such as 100ms");
            check(maxConcurrentSends >= 1, "max-concurrent-sends", maxConcurrentSends, "must be at least 1");
            check(ordering != null, "ordering", null, "must be one of none, fifo, per-key");
            check(ordering != Ordering.FIFO || maxConcurrentSends == 1, "max-concurrent-sends", maxConcurrentSends,
                    "ordering fifo sends one batch at a time; set max-concurrent-sends to 1, or use ordering "
                            + "per-key to send different keys in parallel");
            check(ordering != Ordering.PER_KEY || keyExtractor != null, "ordering", "per-key",
                    "per-key ordering needs a key extractor; set one or use ordering none or fifo");
            check(bufferMaxItems >= 1, "buffer.max-items", bufferMaxItems, "must be at least 1");
            check(bufferMaxItems >= maxBatchItems, "buffer.max-items", bufferMaxItems,
                    "must be at least max-batch-items (" + maxBatchItems + "), or no batch could fill up");
            check(bufferMaxBytes == -1 || bufferMaxBytes >= 1, "buffer.max-bytes", bufferMaxBytes,
                    "must be at least 1, or -1 for no limit");
            check(bufferMaxBytes == -1 || itemSizer != null, "buffer.max-bytes", bufferMaxBytes,
                    "a byte limit needs an item sizer to measure items; set one or remove the limit");
            check(bufferMaxBytes == -1 || maxBatchBytes == -1 || bufferMaxBytes >= maxBatchBytes, "buffer.max-bytes",
                    bufferMaxBytes, "must be at least max-batch-bytes (" + maxBatchBytes + ")");
            check(fullBehavior != null, "buffer.full-behavior", null, "must be one of block, drop-oldest, reject");
            check(blockTimeout != null && !blockTimeout.isNegative(), "buffer.block-timeout", blockTimeout,
                    "must be zero or positive");
            check(batchesPerSecond >= 0 && Double.isFinite(batchesPerSecond), "rate-limit.batches-per-second",
                    batchesPerSecond, "must be positive, or 0 for no limit");
            check(burst >= 1, "rate-limit.burst", burst, "must be at least 1");
            check(minBatchesPerSecond >= 0 && Double.isFinite(minBatchesPerSecond),
                    "rate-limit.min-batches-per-second", minBatchesPerSecond, "must be positive, or 0 for no heartbeats");
            check(batchesPerSecond == 0 || minBatchesPerSecond <= batchesPerSecond, "rate-limit.min-batches-per-second",
                    minBatchesPerSecond, "must not exceed rate-limit.batches-per-second (" + batchesPerSecond + ")");
            check(maxAttempts == UNLIMITED || maxAttempts >= 1, "retry.max-attempts", maxAttempts,
                    "must be at least 1 (1 means no retry), or -1 for unlimited");
            positive(initialBackoff, "retry.initial-backoff", "must be positive, such as 200ms");
            check(multiplier >= 1 && Double.isFinite(multiplier), "retry.multiplier", multiplier, "must be at least 1");
            positive(maxBackoff, "retry.max-backoff", "must be positive, such as 60s");
            check(maxBackoff.compareTo(initialBackoff) >= 0, "retry.max-backoff", maxBackoff,
                    "must not be shorter than retry.initial-backoff (" + initialBackoff + ")");
            positive(sendTimeout, "send-timeout", "must be positive, such as 30s");
            check(drainTimeout != null && !drainTimeout.isNegative(), "drain-timeout", drainTimeout,
                    "must be zero or positive");
        }

        private static void positive(Duration value, String option, String problem) {
            check(value != null && !value.isNegative() && !value.isZero(), option, value, problem);
        }

        private static void check(boolean ok, String option, Object value, String problem) {
            if (!ok) {
                throw new InvalidOptionException(option, Objects.toString(value), problem);
            }
        }
    }
}
