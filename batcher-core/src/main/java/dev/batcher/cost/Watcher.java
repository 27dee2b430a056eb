package dev.batcher.cost;

import dev.batcher.InvalidOptionException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Processes batches of {@link Operation}s for a {@link Batcher} (go-batcher's {@code Watcher}), with its own limits:
 * max batch size, max attempts and max operation time. One batcher serves many watchers; each watcher's operations
 * are batched separately.
 *
 * <p>Create a watcher once and reuse it: a watcher is identified by its instance, and {@code with...} methods return
 * a new watcher. Example:
 *
 * <pre>{@code
 * Watcher<Order> orders = Watcher.<Order>of(ops -> store.upsertAll(ops))
 *         .withMaxBatchSize(100).withMaxAttempts(3).withMaxOperationTime(Duration.ofSeconds(10));
 * batcher.enqueue(Operation.of(orders, 10, order));
 * }</pre>
 *
 * @param <P> the payload type of its operations
 */
public final class Watcher<P> {

    /**
     * The work a watcher does with a batch.
     *
     * @param <P> the payload type
     */
    @FunctionalInterface
    public interface Processor<P> {

        /**
         * Processes a batch. Runs on one of the batcher's sender threads. The batch is done for the needed capacity
         * when this returns or throws, or when the watcher's max operation time passes (the thread is then
         * interrupted and a late return changes nothing). To retry some operations, enqueue them again; to report
         * that the datastore throttles, throw {@link ThrottledException} (the batch is then retried after the pause)
         * or call {@link Batcher#throttle()}.
         *
         * @param operations the batch, in enqueue order, never empty; read-only
         * @throws Exception to fail the batch: its operations are dropped and reported to the drop handler
         */
        void process(List<Operation<P>> operations) throws Exception;
    }

    private final Processor<P> processor;
    private final int maxBatchSize;
    private final int maxAttempts;
    private final Duration maxOperationTime;
    /** The lane key of this watcher's operations that may not be batched: each is cut alone. */
    final SingleLane singleLane = new SingleLane(this);

    private Watcher(Processor<P> processor, int maxBatchSize, int maxAttempts, Duration maxOperationTime) {
        this.processor = Objects.requireNonNull(processor, "processor");
        if (maxBatchSize < 0) {
            throw new InvalidOptionException("max-batch-size", maxBatchSize, "must be at least 1, or 0 for no limit");
        }
        if (maxAttempts < 0) {
            throw new InvalidOptionException("max-attempts", maxAttempts, "must be at least 1, or 0 for no limit");
        }
        if (maxOperationTime != null && (maxOperationTime.isNegative() || maxOperationTime.isZero())) {
            throw new InvalidOptionException("max-operation-time", maxOperationTime,
                    "must be positive, such as 10s, or unset for the batcher's");
        }
        this.maxBatchSize = maxBatchSize;
        this.maxAttempts = maxAttempts;
        this.maxOperationTime = maxOperationTime;
    }

    /**
     * A watcher with no limits of its own: batches of any size, unlimited attempts, the batcher's max operation time.
     *
     * @param processor what it does with a batch
     * @param <P> the payload type
     * @return the watcher
     */
    public static <P> Watcher<P> of(Processor<P> processor) {
        return new Watcher<>(processor, 0, 0, null);
    }

    /**
     * A new watcher like this one that gets at most {@code size} operations per batch (go-batcher's
     * {@code WithMaxBatchSize}).
     *
     * @param size at least 1, or 0 for no limit
     * @return the new watcher
     */
    public Watcher<P> withMaxBatchSize(int size) {
        return new Watcher<>(processor, size, maxAttempts, maxOperationTime);
    }

    /**
     * A new watcher like this one whose operations are refused by {@link Batcher#enqueue(Operation)} once they were
     * handed to it {@code attempts} times (go-batcher's {@code WithMaxAttempts}).
     *
     * @param attempts at least 1, or 0 for no limit
     * @return the new watcher
     */
    public Watcher<P> withMaxAttempts(int attempts) {
        return new Watcher<>(processor, maxBatchSize, attempts, maxOperationTime);
    }

    /**
     * A new watcher like this one whose batches count as done after {@code time} even if it has not returned
     * (go-batcher's {@code WithMaxOperationTime}); it overrides the batcher's {@code max-operation-time}.
     *
     * @param time positive, or {@code null} for the batcher's
     * @return the new watcher
     */
    public Watcher<P> withMaxOperationTime(Duration time) {
        return new Watcher<>(processor, maxBatchSize, maxAttempts, time);
    }

    /** Operations per batch at most; 0 for no limit. */
    public int maxBatchSize() {
        return maxBatchSize;
    }

    /** Times an operation may be handed to this watcher; 0 for no limit. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** How long a batch may run before it counts as done, or {@code null} for the batcher's. */
    public Duration maxOperationTime() {
        return maxOperationTime;
    }

    /**
     * Processes a batch (the batcher calls this).
     *
     * @param operations the batch
     * @throws Exception what the processor threw
     */
    public void process(List<Operation<P>> operations) throws Exception {
        processor.process(operations);
    }

    @Override
    public String toString() {
        return "Watcher[maxBatchSize=" + maxBatchSize + ", maxAttempts=" + maxAttempts + ", maxOperationTime="
                + maxOperationTime + "]";
    }

    /** The lane of a watcher's operations that may not be batched. */
    static final class SingleLane {

        final Watcher<?> watcher;

        SingleLane(Watcher<?> watcher) {
            this.watcher = watcher;
        }

        @Override
        public String toString() {
            return "single " + watcher;
        }
    }
}
