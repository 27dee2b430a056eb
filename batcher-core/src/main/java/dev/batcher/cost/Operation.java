package dev.batcher.cost;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One unit of work for a {@link Batcher} (go-batcher's {@code Operation}): a payload, the capacity it costs, whether
 * it may share a batch with others of its {@link Watcher}, and how many times it was handed to its watcher.
 *
 * <p>Everything but the attempt counter is fixed at construction. The batcher counts an attempt each time it hands
 * the operation to its watcher; a watcher that could not finish an operation may enqueue it again, and the watcher's
 * {@linkplain Watcher#maxAttempts() max attempts} then refuses it once it has had its share
 * ({@link TooManyAttemptsException}).
 *
 * @param <P> the payload type
 */
public final class Operation<P> {

    /** The largest cost of one operation (go-batcher's costs are 32-bit). */
    public static final long MAX_COST = Integer.MAX_VALUE;

    private static final AtomicIntegerFieldUpdater<Operation> ATTEMPT =
            AtomicIntegerFieldUpdater.newUpdater(Operation.class, "attempt");

    private final Watcher<P> watcher;
    private final long cost;
    private final P payload;
    private final boolean batchable;
    private volatile int attempt;

    /**
     * Creates an operation.
     *
     * @param watcher processes the operation; an operation without one is refused by
     *     {@link Batcher#enqueue(Operation)} with {@link NoWatcherException}
     * @param cost the capacity it uses, in the cost units of the batcher's capacity limiter (such as request units),
     *     from 0 to {@link #MAX_COST}
     * @param payload what the watcher works on, may be {@code null}
     * @param batchable whether it may share a batch with other operations of the same watcher; if not, it is handed
     *     to the watcher alone
     * @throws IllegalArgumentException if the cost is negative or above {@link #MAX_COST}
     */
    public Operation(Watcher<P> watcher, long cost, P payload, boolean batchable) {
        if (cost < 0 || cost > MAX_COST) {
            throw new IllegalArgumentException("An operation's cost must be between 0 and " + MAX_COST + ", but was "
                    + cost);
        }
        this.watcher = watcher;
        this.cost = cost;
        this.payload = payload;
        this.batchable = batchable;
    }

    /**
     * A batchable operation: it is grouped with others of the same watcher, up to the watcher's max batch size.
     *
     * @param watcher processes the operation
     * @param cost the capacity it uses
     * @param payload what the watcher works on
     * @param <P> the payload type
     * @return the operation
     */
    public static <P> Operation<P> of(Watcher<P> watcher, long cost, P payload) {
        return new Operation<>(watcher, cost, payload, true);
    }

    /**
     * An operation that is always handed to its watcher alone.
     *
     * @param watcher processes the operation
     * @param cost the capacity it uses
     * @param payload what the watcher works on
     * @param <P> the payload type
     * @return the operation
     */
    public static <P> Operation<P> single(Watcher<P> watcher, long cost, P payload) {
        return new Operation<>(watcher, cost, payload, false);
    }

    /** The watcher that processes this operation, or {@code null} if none was given. */
    public Watcher<P> watcher() {
        return watcher;
    }

    /** The capacity this operation uses, in the cost units of the capacity limiter. */
    public long cost() {
        return cost;
    }

    /** What the watcher works on. */
    public P payload() {
        return payload;
    }

    /** Whether it may share a batch with other operations of its watcher. */
    public boolean isBatchable() {
        return batchable;
    }

    /** How many times the batcher handed this operation to its watcher so far: 0 before the first time. */
    public int attempt() {
        return attempt;
    }

    /** Counts one attempt: called by the batcher as it hands the operation to its watcher. */
    void makeAttempt() {
        ATTEMPT.incrementAndGet(this);
    }

    @Override
    public String toString() {
        return "Operation[cost=" + cost + ", batchable=" + batchable + ", attempt=" + attempt + ", payload=" + payload
                + "]";
    }
}
