package dev.batcher.kernel;

import dev.batcher.BatchLimits;
import dev.batcher.BatchListener;
import dev.batcher.BufferLimits;
import dev.batcher.DropHandler;
import dev.batcher.ErrorHandler;
import dev.batcher.Ordering;
import dev.batcher.RateLimit;
import dev.batcher.SendLimits;
import dev.batcher.limit.SendGate;
import dev.batcher.time.Scheduler;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.springframework.retry.RetryPolicy;
import org.springframework.retry.backoff.BackOffPolicy;

/**
 * Everything a {@link Kernel} runs with, already validated by the engine that builds it.
 *
 * @param kind the engine's kind as messages name it, such as {@code Dispatcher}
 * @param name the engine's name, for threads, logs and errors
 * @param batching when batches are cut
 * @param buffer what the buffer holds and does when full
 * @param sends concurrency and timeout of sends
 * @param rate heartbeats ({@link RateLimit#minPerSecond()}); the rate itself is in {@code gate}
 * @param ordering the order guarantee
 * @param keyExtractor the lane key of an item, else {@code null} (one lane); lanes are exclusive (one batch out at a
 *     time) only with {@link Ordering#PER_KEY}
 * @param lanePolicy cut rules and send timeout of the lane of a key (a watcher's), or {@code null} for the engine's
 * @param sizer the bytes of an item, or {@code null} (0 bytes)
 * @param costOf the cost of an item, or {@code null}: permits are then taken per batch with cost 1
 * @param gate permits taken before every send, outside every lock, or {@code null}
 * @param retryPolicy whether a failed batch gets another attempt
 * @param backOffPolicy the wait before it
 * @param errorHandler whether a failure is worth retrying
 * @param dropHandler told about dropped items, or {@code null} (drops are logged)
 * @param drainedCallback run once when closed and drained, or {@code null}
 * @param listener per-batch events
 * @param scheduler clock and timer, or {@code null} for a timer thread of the kernel's own
 * @param <T> the item type
 */
public record KernelSpec<T>(
        String kind,
        String name,
        BatchLimits batching,
        BufferLimits buffer,
        SendLimits sends,
        RateLimit rate,
        Ordering ordering,
        Function<? super T, ?> keyExtractor,
        Function<Object, LanePolicy> lanePolicy,
        ToLongFunction<? super T> sizer,
        ToLongFunction<? super T> costOf,
        SendGate gate,
        RetryPolicy retryPolicy,
        BackOffPolicy backOffPolicy,
        ErrorHandler<T> errorHandler,
        DropHandler<T> dropHandler,
        Runnable drainedCallback,
        BatchListener listener,
        Scheduler scheduler) {

    /** Checks the parts every kernel needs. */
    public KernelSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(batching, "batching");
        Objects.requireNonNull(buffer, "buffer");
        Objects.requireNonNull(sends, "sends");
        Objects.requireNonNull(rate, "rate");
        Objects.requireNonNull(ordering, "ordering");
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        Objects.requireNonNull(backOffPolicy, "backOffPolicy");
        Objects.requireNonNull(errorHandler, "errorHandler");
        Objects.requireNonNull(listener, "listener");
    }
}
