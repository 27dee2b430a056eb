package dev.batcher.spring;

import dev.batcher.cost.Batcher;
import dev.batcher.cost.Operation;
import dev.batcher.cost.Watcher;

/**
 * Enqueues operations for one watcher of a cost batcher: a {@link BatchWatcher} method, or a watcher added with
 * {@link CostBatchers#watcher}. One line per operation: {@code orders.enqueue(10, order)}.
 *
 * <p>Enqueueing runs go-batcher's checks ({@link dev.batcher.cost.OperationRefusedException} subclasses: the cost is
 * above the batcher's capacity, too many attempts) and then waits for room when the buffer is full, up to
 * {@code buffer.block-timeout} ({@code buffer.full-behavior: reject}: fails at once with
 * {@link dev.batcher.BufferFullException}). Operations enqueued while the application starts are held and processed
 * once it has started.
 *
 * @param <P> the payload type
 */
public interface WatcherHandle<P> {

    /** The watcher name: the {@link BatchWatcher#name()}, by default the method name. */
    String name();

    /** The batcher the operations go to. */
    Batcher batcher();

    /** The watcher, to build operations by hand. */
    Watcher<P> watcher();

    /**
     * Enqueues a batchable operation: grouped with others of this watcher, up to its max batch size.
     *
     * @param cost the capacity it uses, in the batcher's cost units, from 0 to {@link Operation#MAX_COST}
     * @param payload what the watcher works on
     * @return the operation, whose {@link Operation#attempt()} counts the times it was handed to the watcher
     */
    default Operation<P> enqueue(long cost, P payload) {
        Operation<P> operation = Operation.of(watcher(), cost, payload);
        batcher().enqueue(operation);
        return operation;
    }

    /**
     * Enqueues an operation that is handed to the watcher alone.
     *
     * @param cost the capacity it uses
     * @param payload what the watcher works on
     * @return the operation
     */
    default Operation<P> enqueueSingle(long cost, P payload) {
        Operation<P> operation = Operation.single(watcher(), cost, payload);
        batcher().enqueue(operation);
        return operation;
    }

    /**
     * Enqueues an operation again, such as one a watcher could not finish; refused once it had its max attempts.
     *
     * @param operation an operation of this watcher
     * @throws IllegalArgumentException if it belongs to another watcher
     */
    default void retry(Operation<P> operation) {
        if (operation.watcher() != watcher()) {
            throw new IllegalArgumentException("Operation " + operation + " belongs to " + operation.watcher()
                    + ", not to watcher '" + name() + "'");
        }
        batcher().enqueue(operation);
    }
}
