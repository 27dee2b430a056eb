package dev.batcher.limit;

/**
 * Capacity, in cost units per second, that an engine may spend: fixed ({@link ProvisionedCapacity}) or shared with
 * other instances (a Redis-backed limiter in {@code batcher-redis}). go-batcher's rate limiter.
 *
 * <p>The engine tells the limiter how much it needs ({@link #setTarget}) and reads how much it has
 * ({@link #capacity()}); a shared limiter acquires and releases capacity in the background. No method may block on
 * I/O: engines call them under their own scheduling and never on a producer's thread.
 */
public interface CapacityLimiter extends AutoCloseable {

    /**
     * The most capacity this limiter could ever grant. An operation that costs more could never run and is refused
     * when it is enqueued.
     */
    long maxCapacity();

    /** The capacity granted now, in cost units per second. */
    long capacity();

    /**
     * The capacity the engine needs now, in cost units per second. Returns at once; a shared limiter asks for more
     * or gives some back later, on its own thread.
     *
     * @param needed the needed capacity, zero or more
     */
    void setTarget(long needed);

    /** The last target set. */
    long target();

    /**
     * Adds a listener for this limiter's events (names: {@code capacity}, {@code allocated}, {@code released},
     * {@code failed}, {@code target}, {@code error}).
     *
     * @param listener called on the limiter's own thread; it must be quick and must not throw
     */
    void addListener(CapacityListener listener);

    /** Starts the limiter (a shared one connects and begins acquiring). Calling it twice is an error. */
    void start();

    /** Stops the limiter and gives back everything it holds. */
    @Override
    void close();
}
