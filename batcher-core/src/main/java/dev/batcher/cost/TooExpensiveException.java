package dev.batcher.cost;

/**
 * An operation costs more than the capacity limiter could ever grant, so it could never run (go-batcher's
 * {@code TooExpensiveError}).
 */
public class TooExpensiveException extends OperationRefusedException {

    private static final long serialVersionUID = 1L;

    private final long cost;

    private final long maxCapacity;

    /**
     * Creates the exception.
     *
     * @param batcherName the batcher
     * @param cost the operation's cost
     * @param maxCapacity the limiter's max capacity
     */
    public TooExpensiveException(String batcherName, long cost, long maxCapacity) {
        super(batcherName, "its cost " + cost + " is above the capacity limiter's max capacity " + maxCapacity
                + "; split the operation or raise the capacity");
        this.cost = cost;
        this.maxCapacity = maxCapacity;
    }

    /** The operation's cost. */
    public long getCost() {
        return cost;
    }

    /** The limiter's max capacity when the operation was refused. */
    public long getMaxCapacity() {
        return maxCapacity;
    }
}
