package dev.batcher.dispatch;

import dev.batcher.BatchLimits;
import dev.batcher.BufferLimits;
import dev.batcher.DropHandler;
import dev.batcher.ErrorHandler;
import dev.batcher.FullBehavior;
import dev.batcher.InvalidOptionException;
import dev.batcher.ItemSizer;
import dev.batcher.durable.DurableBuffer;
import dev.batcher.durable.DurableLogOptions;
import dev.batcher.durable.ItemCodec;
import dev.batcher.Ordering;
import dev.batcher.RateLimit;
import dev.batcher.RetryOptions;
import dev.batcher.SendLimits;
import dev.batcher.limit.SendGate;
import dev.batcher.time.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.springframework.retry.RetryPolicy;
import org.springframework.retry.backoff.BackOffPolicy;

/**
 * Immutable options of a {@link Dispatcher}, built and validated by {@link Builder}. The options are grouped in
 * small value types shared by the engines ({@link BatchLimits}, {@link BufferLimits}, {@link SendLimits},
 * {@link RateLimit}, {@link RetryOptions}), each validating itself; this class adds the dispatcher's callbacks and
 * the checks across groups. Option names in errors are the property keys the Spring Boot starter binds under
 * {@code batcher.dispatchers.<name>.}; luci's names are given for comparison.
 *
 * @param <T> the item type
 */
public final class DispatcherConfig<T> {

    /** Default {@code max-batch-items}. */
    public static final int DEFAULT_MAX_BATCH_ITEMS = BatchLimits.DEFAULTS.maxItems();

    /** Default {@code max-batch-age}. */
    public static final Duration DEFAULT_MAX_BATCH_AGE = BatchLimits.DEFAULTS.maxAge();

    /** Default {@code max-concurrent-sends} (luci's MaxLeases default); 1 with {@link Ordering#FIFO}. */
    public static final int DEFAULT_MAX_CONCURRENT_SENDS = SendLimits.DEFAULTS.maxConcurrent();

    /** Default {@code buffer.max-items}. */
    public static final int DEFAULT_BUFFER_MAX_ITEMS = BufferLimits.DEFAULTS.maxItems();

    /** Default {@code buffer.block-timeout}. */
    public static final Duration DEFAULT_BLOCK_TIMEOUT = BufferLimits.DEFAULTS.blockTimeout();

    /** Default {@code retry.initial-backoff} (luci's default). */
    public static final Duration DEFAULT_INITIAL_BACKOFF = RetryOptions.DEFAULTS.initialBackoff();

    /** Default {@code retry.multiplier} (luci's default). */
    public static final double DEFAULT_MULTIPLIER = RetryOptions.DEFAULTS.multiplier();

    /** Default {@code retry.max-backoff} (luci's default). */
    public static final Duration DEFAULT_MAX_BACKOFF = RetryOptions.DEFAULTS.maxBackoff();

    /** Default {@code send-timeout}. */
    public static final Duration DEFAULT_SEND_TIMEOUT = SendLimits.DEFAULTS.timeout();

    /** Default drain timeout of {@link Dispatcher#close()}. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    /** The value of {@code max-batch-items}, {@code retry.max-attempts} and the byte limits meaning "no limit". */
    public static final int UNLIMITED = -1;

    private final BatchLimits batching;
    private final BufferLimits buffer;
    private final SendLimits sends;
    private final RateLimit rateLimit;
    private final RetryOptions retry;
    private final Ordering ordering;
    private final Function<? super T, ?> keyExtractor;
    private final SendGate sendGate;
    private final RetryPolicy explicitRetryPolicy;
    private final BackOffPolicy explicitBackOffPolicy;
    private final Duration drainTimeout;
    private final ItemSizer<? super T> itemSizer;
    private final ErrorHandler<T> errorHandler;
    private final DropHandler<T> dropHandler;
    private final Runnable drainedCallback;
    private final DispatcherListener listener;
    private final Scheduler scheduler;
    private final DurableBuffer<T> durableBuffer;

    private DispatcherConfig(Builder<T> b, BatchLimits batching, BufferLimits buffer, SendLimits sends,
            RateLimit rateLimit, RetryOptions retry) {
        this.batching = batching;
        this.buffer = buffer;
        this.sends = sends;
        this.rateLimit = rateLimit;
        this.retry = retry;
        this.ordering = b.ordering;
        this.keyExtractor = b.keyExtractor;
        this.sendGate = b.sendGate;
        this.explicitRetryPolicy = b.retryPolicy;
        this.explicitBackOffPolicy = b.backOffPolicy;
        this.drainTimeout = b.drainTimeout;
        this.itemSizer = b.itemSizer;
        this.errorHandler = b.errorHandler != null ? b.errorHandler : ErrorHandler.retryTransient();
        this.dropHandler = b.dropHandler;
        this.drainedCallback = b.drainedCallback;
        this.durableBuffer = b.durableBuffer;
        this.listener = b.listener != null ? b.listener : DispatcherListener.NONE;
        this.scheduler = b.scheduler;
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

    /** When batches are cut: {@code max-batch-items}, {@code max-batch-bytes}, {@code max-batch-age}. */
    public BatchLimits batching() {
        return batching;
    }

    /** What the buffer holds and does when full: {@code buffer.*}. */
    public BufferLimits buffer() {
        return buffer;
    }

    /** {@code max-concurrent-sends} and {@code send-timeout}. */
    public SendLimits sends() {
        return sends;
    }

    /** {@code rate-limit.*}. */
    public RateLimit rateLimit() {
        return rateLimit;
    }

    /** {@code retry.*}: the options the default policies are built from. */
    public RetryOptions retry() {
        return retry;
    }

    /** {@code max-batch-items} (luci BatchItemsMax): a batch is cut when it holds this many; -1: no limit. */
    public int maxBatchItems() {
        return batching.maxItems();
    }

    /** {@code max-batch-bytes} (luci BatchSizeMax): a batch is cut before it would exceed this size; -1: no limit. */
    public long maxBatchBytes() {
        return batching.maxBytes();
    }

    /** {@code max-batch-age} (luci BatchAgeMax): a partly filled batch is cut this long after its first item. */
    public Duration maxBatchAge() {
        return batching.maxAge();
    }

    /** {@code max-concurrent-sends} (luci MaxLeases): batches sent in parallel at most. */
    public int maxConcurrentSends() {
        return sends.maxConcurrent();
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
        return buffer.maxItems();
    }

    /** {@code buffer.max-bytes}: bytes buffered at most, like {@link #bufferMaxItems()}; -1: no limit. */
    public long bufferMaxBytes() {
        return buffer.maxBytes();
    }

    /** {@code buffer.full-behavior}: what a submit does when the buffer is full. */
    public FullBehavior fullBehavior() {
        return buffer.fullBehavior();
    }

    /** {@code buffer.block-timeout}: how long a blocked submit waits for room. */
    public Duration blockTimeout() {
        return buffer.blockTimeout();
    }

    /** {@code rate-limit.batches-per-second} (luci QPSLimit): 0 means no limit. */
    public double batchesPerSecond() {
        return rateLimit.perSecond();
    }

    /** {@code rate-limit.burst}: sends allowed at once after a quiet period. */
    public int burst() {
        return rateLimit.burst();
    }

    /** {@code rate-limit.min-batches-per-second} (luci MinQPS): empty heartbeat batches keep this rate; 0: off. */
    public double minBatchesPerSecond() {
        return rateLimit.minPerSecond();
    }

    /** A custom gate consulted before every send instead of the rate limit, or {@code null}. */
    public SendGate sendGate() {
        return sendGate;
    }

    /** {@code retry.max-attempts}: attempts per batch including the first; {@link #UNLIMITED} retries forever. */
    public int maxAttempts() {
        return retry.maxAttempts();
    }

    /** {@code retry.initial-backoff}: the wait before the first retry. */
    public Duration initialBackoff() {
        return retry.initialBackoff();
    }

    /** {@code retry.multiplier}: each wait is the previous one times this. */
    public double multiplier() {
        return retry.multiplier();
    }

    /** {@code retry.max-backoff}: the longest wait between attempts. */
    public Duration maxBackoff() {
        return retry.maxBackoff();
    }

    /** The spring-retry policy deciding whether another attempt is allowed (built from the retry options). */
    public RetryPolicy retryPolicy() {
        return explicitRetryPolicy != null ? explicitRetryPolicy : retry.retryPolicy();
    }

    /** The spring-retry back-off policy computing the waits (built from the retry options). */
    public BackOffPolicy backOffPolicy() {
        return explicitBackOffPolicy != null ? explicitBackOffPolicy : retry.backOffPolicy();
    }

    /** {@code send-timeout}: an attempt running longer counts as failed and its thread is interrupted. */
    public Duration sendTimeout() {
        return sends.timeout();
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
     * The durable buffer ({@code buffer.durable.*}), or {@code null} for a buffer in memory only. With one, every
     * accepted item is in a crash-safe log before {@code submit}/{@code enqueue} returns, stays there until it is sent
     * or dropped for good, and what a crash (or a drain cut short) left is replayed, in order, when the dispatcher is
     * created again on the same directory. See docs/durable-buffer.md.
     */
    public DurableBuffer<T> durableBuffer() {
        return durableBuffer;
    }

    /**
     * Builds {@link DispatcherConfig}. Every option has a default; {@link #build()} checks them together and throws
     * {@link InvalidOptionException} naming the option, its value and the fix.
     *
     * @param <T> the item type
     */
    public static final class Builder<T> {

        private int maxBatchItems = DEFAULT_MAX_BATCH_ITEMS;
        private long maxBatchBytes = UNLIMITED;
        private Duration maxBatchAge = DEFAULT_MAX_BATCH_AGE;
        private Integer maxConcurrentSends;
        private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;
        private int bufferMaxItems = DEFAULT_BUFFER_MAX_ITEMS;
        private long bufferMaxBytes = UNLIMITED;
        private FullBehavior fullBehavior = FullBehavior.BLOCK;
        private Duration blockTimeout = DEFAULT_BLOCK_TIMEOUT;
        private double batchesPerSecond;
        private int burst = 1;
        private double minBatchesPerSecond;
        private int maxAttempts = RetryOptions.DEFAULTS.maxAttempts();
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private double multiplier = DEFAULT_MULTIPLIER;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private Ordering ordering = Ordering.NONE;
        private Function<? super T, ?> keyExtractor;
        private SendGate sendGate;
        private RetryPolicy retryPolicy;
        private BackOffPolicy backOffPolicy;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private ItemSizer<? super T> itemSizer;
        private ErrorHandler<T> errorHandler;
        private DropHandler<T> dropHandler;
        private Runnable drainedCallback;
        private DispatcherListener listener;
        private Scheduler scheduler;
        private DurableBuffer<T> durableBuffer;

        private Builder() {
        }

        private Builder(DispatcherConfig<T> c) {
            batching(c.batching);
            buffer(c.buffer);
            sends(c.sends);
            rateLimit(c.rateLimit);
            retry(c.retry);
            ordering = c.ordering;
            keyExtractor = c.keyExtractor;
            sendGate = c.sendGate;
            retryPolicy = c.explicitRetryPolicy;
            backOffPolicy = c.explicitBackOffPolicy;
            drainTimeout = c.drainTimeout;
            itemSizer = c.itemSizer;
            errorHandler = c.errorHandler;
            dropHandler = c.dropHandler;
            drainedCallback = c.drainedCallback;
            listener = c.listener;
            scheduler = c.scheduler;
            durableBuffer = c.durableBuffer;
        }

        /** Sets {@code max-batch-items}, {@code max-batch-bytes} and {@code max-batch-age} at once. */
        public Builder<T> batching(BatchLimits limits) {
            maxBatchItems = limits.maxItems();
            maxBatchBytes = limits.maxBytes();
            maxBatchAge = limits.maxAge();
            return this;
        }

        /** Sets every {@code buffer.*} option at once. */
        public Builder<T> buffer(BufferLimits limits) {
            bufferMaxItems = limits.maxItems();
            bufferMaxBytes = limits.maxBytes();
            fullBehavior = limits.fullBehavior();
            blockTimeout = limits.blockTimeout();
            return this;
        }

        /** Sets {@code max-concurrent-sends} and {@code send-timeout} at once. */
        public Builder<T> sends(SendLimits limits) {
            maxConcurrentSends = limits.maxConcurrent();
            sendTimeout = limits.timeout();
            return this;
        }

        /** Sets every {@code rate-limit.*} option at once. */
        public Builder<T> rateLimit(RateLimit limit) {
            batchesPerSecond = limit.perSecond();
            burst = limit.burst();
            minBatchesPerSecond = limit.minPerSecond();
            return this;
        }

        /** Sets every {@code retry.*} option at once. */
        public Builder<T> retry(RetryOptions options) {
            return retry(options.maxAttempts(), options.initialBackoff(), options.multiplier(), options.maxBackoff());
        }

        /** See {@link DispatcherConfig#maxBatchItems()}. Default 100; {@link #UNLIMITED} cuts by bytes and age only. */
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

        /** See {@link DispatcherConfig#maxConcurrentSends()}. Default 4, or 1 with {@link Ordering#FIFO}. */
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

        /**
         * A gate asked before every send, with cost 1 per batch, instead of the rate limit. It is called on the
         * sender thread outside every lock; if it throws, the attempt fails with its exception.
         */
        public Builder<T> sendGate(SendGate sendGate) {
            this.sendGate = sendGate;
            return this;
        }

        /**
         * Exponential retry like luci's default: {@code maxAttempts} attempts in all ({@link #UNLIMITED} for no
         * limit), waiting {@code initialBackoff}, then times {@code multiplier} each time, at most
         * {@code maxBackoff}. Defaults: unlimited, 200 ms, 1.2, 60 s. Checked by {@link #build()}.
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

        /**
         * Keeps the buffer in a crash-safe log on disk as well as in memory (see
         * {@link DispatcherConfig#durableBuffer()}).
         *
         * @param options where and how ({@code buffer.durable.directory}, {@code fsync}, {@code fsync-interval},
         *     {@code segment-bytes}, {@code max-bytes})
         * @param codec turns items into bytes and back
         * @return this builder
         */
        public Builder<T> durableBuffer(DurableLogOptions options, ItemCodec<T> codec) {
            this.durableBuffer = new DurableBuffer<>(options, codec);
            return this;
        }

        /** Keeps the buffer in memory only (the default). */
        public Builder<T> inMemoryBuffer() {
            this.durableBuffer = null;
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
            BatchLimits batching = new BatchLimits(maxBatchItems, maxBatchBytes, maxBatchAge);
            check(ordering != null, "ordering", null, "must be one of none, fifo, per-key");
            boolean defaultConcurrency = maxConcurrentSends == null;
            int concurrency = defaultConcurrency
                    ? (ordering == Ordering.FIFO ? 1 : DEFAULT_MAX_CONCURRENT_SENDS) : maxConcurrentSends;
            SendLimits sends = new SendLimits(concurrency, sendTimeout);
            BufferLimits buffer = new BufferLimits(bufferMaxItems, bufferMaxBytes, fullBehavior, blockTimeout);
            RateLimit rate = new RateLimit(batchesPerSecond, burst, minBatchesPerSecond);
            RetryOptions retryOptions = new RetryOptions(maxAttempts, initialBackoff, multiplier, maxBackoff);
            String sizerFix = "a byte limit needs an item sizer to measure items; set one with a DispatcherCustomizer "
                    + "bean (builder.itemSizer(item -> ...)) or remove the limit";
            check(maxBatchBytes == UNLIMITED || itemSizer != null, "max-batch-bytes", maxBatchBytes, sizerFix);
            check(bufferMaxBytes == UNLIMITED || itemSizer != null, "buffer.max-bytes", bufferMaxBytes, sizerFix);
            if (ordering == Ordering.FIFO && concurrency != 1) {
                throw new InvalidOptionException("max-concurrent-sends", concurrency, "ordering fifo sends one batch "
                        + "at a time; set max-concurrent-sends to 1, or use ordering per-key to send different keys "
                        + "in parallel", defaultConcurrency);
            }
            check(ordering != Ordering.PER_KEY || keyExtractor != null, "ordering", "per-key",
                    "per-key ordering needs a key extractor; set one with a DispatcherCustomizer bean "
                            + "(builder.keyExtractor(item -> item.customerId())) or use ordering none or fifo");
            if (maxBatchItems != UNLIMITED && bufferMaxItems < maxBatchItems) {
                throw new InvalidOptionException("buffer.max-items", bufferMaxItems, "must be at least "
                        + "max-batch-items (" + maxBatchItems + "), or no batch could fill up",
                        bufferMaxItems == DEFAULT_BUFFER_MAX_ITEMS);
            }
            check(bufferMaxBytes == UNLIMITED || maxBatchBytes == UNLIMITED || bufferMaxBytes >= maxBatchBytes,
                    "buffer.max-bytes", bufferMaxBytes, "must be at least max-batch-bytes (" + maxBatchBytes + ")");
            check(drainTimeout != null && !drainTimeout.isNegative(), "drain-timeout", drainTimeout,
                    "must be zero or positive");
            return new DispatcherConfig<>(this, batching, buffer, sends, rate, retryOptions);
        }

        private static void check(boolean ok, String option, Object value, String problem) {
            if (!ok) {
                throw new InvalidOptionException(option, Objects.toString(value), problem);
            }
        }
    }
}
