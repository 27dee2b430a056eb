package dev.batcher.resource;

/**
 * One operation as the kernel carries it: the kernel's item, keyed by its resource key.
 *
 * @param <K> the key type
 * @param <R> the resource type
 */
final class PendingOperation<K, R> {

    final K key;
    final ResourceOperation<R, ?> operation;
    final OperationFuture<?> future;
    /** {@link System#nanoTime()} when {@code run} was called; the first operation's is its batch's start. */
    final long arrivedAt;
    /** The batch run it belongs to, set when its batch starts on a thread; read when the batch is given up. */
    volatile BatchRun run;

    PendingOperation(K key, ResourceOperation<R, ?> operation, OperationFuture<?> future, long arrivedAt) {
        this.key = key;
        this.operation = operation;
        this.future = future;
        this.arrivedAt = arrivedAt;
    }

    /** Where a batch is, so that a batch given up at its deadline can say in which phase. */
    static final class BatchRun {

        final java.time.Instant deadline;
        volatile ResourceStoreException.Phase phase = ResourceStoreException.Phase.LOAD;

        BatchRun(java.time.Instant deadline) {
            this.deadline = deadline;
        }
    }
}
