package dev.batcher.resource;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The future {@link ResourceProcessor#run} returns. It decides, with one CAS, whether its operation runs or is
 * cancelled: the batch's thread {@link #claim()}s it just before running it; a {@code cancel} (or any completion
 * from outside, such as {@code orTimeout}) that comes first claims it instead, and the operation is skipped.
 */
final class OperationFuture<V> extends CompletableFuture<V> {

    private static final int WAITING = 0;
    private static final int RUNNING = 1;
    private static final int CANCELLED = 2;

    private final AtomicInteger state = new AtomicInteger(WAITING);
    private final String processorName;
    private final Object key;

    OperationFuture(String processorName, Object key) {
        this.processorName = processorName;
        this.key = key;
    }

    /** The batch's thread takes the operation to run it; {@code false} if it was cancelled first. */
    boolean claim() {
        return state.compareAndSet(WAITING, RUNNING);
    }

    /** Whether the operation was cancelled before it ran (it never will). */
    boolean wasCancelled() {
        return state.get() == CANCELLED;
    }

    /** Cancels the operation if it has not started: it never runs. {@code false} once it started or ended. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return cancel("its future was cancelled");
    }

    boolean cancel(String why) {
        return state.compareAndSet(WAITING, CANCELLED)
                && super.completeExceptionally(new OperationCancelledException(processorName, key, why));
    }

    /** From outside (such as {@code orTimeout}): before the operation started, it then never runs. */
    @Override
    public boolean completeExceptionally(Throwable ex) {
        state.compareAndSet(WAITING, CANCELLED);
        return super.completeExceptionally(ex);
    }

    /** From outside: before the operation started, it then never runs. */
    @Override
    public boolean complete(V value) {
        state.compareAndSet(WAITING, CANCELLED);
        return super.complete(value);
    }

    /** The processor's own completion with the operation's value. */
    void succeed(V value) {
        super.complete(value);
    }

    /** The processor's own completion with a failure. */
    void fail(Throwable error) {
        super.completeExceptionally(error);
    }
}
