package dev.batcher.resource;

import dev.batcher.BatchingEngine;
import dev.batcher.BufferFullException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Runs many operations on one resource with a single load and a single save (elgopher/batch): operations on the
 * same key that arrive within {@code min-duration} of each other form a batch; the batch loads the resource once,
 * runs every operation on it one after the other, saves it once, and then every caller gets its result.
 *
 * <pre>{@code
 * ResourceProcessor<String, Account> accounts = ResourceProcessor.create("accounts",
 *         ResourceProcessorConfig.defaults(), new AccountStore(dataSource));
 * CompletableFuture<Long> balance = accounts.run("acc-1", account -> {
 *     if (account.balance() < 100) {
 *         throw new InsufficientFundsException();   // validate first: fails this caller only
 *     }
 *     account.withdraw(100);                        // then mutate
 *     return account.balance();
 * });
 * }</pre>
 *
 * <p><b>Batches.</b> A batch starts with its key's first operation and collects that key's operations for
 * {@code min-duration} (default 100 ms); it is then cut and, on a free thread of at most
 * {@code max-concurrent-batches}, loaded, run and saved. Its deadline is its start plus {@code max-duration}
 * (default 2 x {@code min-duration}); load and save get it. One batch per key is processed at a time; batches of
 * different keys run in parallel, and keys take turns for the threads, so a hot key does not starve the others.
 *
 * <p><b>Outcomes.</b> A caller's future completes after its batch ended: with its operation's value, with its
 * operation's own exception (the other operations go on, and the resource is saved with whatever the operations
 * changed: see {@link ResourceOperation}), or, when the batch failed, with a {@link ResourceStoreException} (or
 * {@link ResourceDeadlineException}) naming the key and the phase. Operations see each other's changes before they
 * are saved: a query answered from the resource may report data that the save then fails to store, so check the
 * outcome before acting on it.
 *
 * <p><b>Lifecycle.</b> The processor runs from {@link #create}. {@link #close()} ends pending batches early, saves
 * them and waits for them (at most {@code drain-timeout}); afterwards {@link #run} fails with
 * {@link ProcessorStoppedException}. Everything is thread-safe.
 *
 * @param <K> the resource key type (with {@code equals}/{@code hashCode})
 * @param <R> the resource type
 */
public interface ResourceProcessor<K, R> extends BatchingEngine {

    /**
     * Creates and starts a processor.
     *
     * @param name the name, for threads, logs, metrics and errors
     * @param config the options
     * @param store loads and saves the resources
     * @param <K> the resource key type
     * @param <R> the resource type
     * @return the running processor
     */
    static <K, R> ResourceProcessor<K, R> create(String name, ResourceProcessorConfig config,
            ResourceStore<K, R> store) {
        return new KernelResourceProcessor<>(name, config, store);
    }

    /** The options it was created with. */
    ResourceProcessorConfig config();

    /**
     * Runs an operation on the resource of {@code key} in the key's next batch.
     *
     * <p>The future completes once the batch ended (on the processor's callback thread, where continuations run too):
     * with the operation's value or exception, or with a {@link ResourceStoreException} when the batch failed.
     * Cancelling the future before the operation ran ({@code cancel}, or any completion from outside such as
     * {@code orTimeout}) makes sure it never runs; {@code get()} then throws an {@link OperationCancelledException}
     * (or what the outside completion put). Once the operation started, {@code cancel} returns {@code false} and the
     * caller waits for the batch, as elgopher does.
     *
     * @param key the resource key, not {@code null}
     * @param operation the operation, not {@code null}
     * @param <V> the value type
     * @return the operation's outcome; failed with {@link ProcessorStoppedException} after {@link #close()}, with
     *     {@link BufferFullException} when the buffer is full ({@code buffer.full-behavior}
     *     {@code reject}, or {@code block} past {@code buffer.block-timeout})
     * @throws NullPointerException for a null key or operation
     */
    <V> CompletableFuture<V> run(K key, ResourceOperation<R, V> operation);

    /**
     * Runs an operation like {@link #run} and waits for its outcome.
     *
     * <p>If the operation has not started within {@code timeout} it is cancelled and never runs
     * ({@link OperationCancelledException}); if it has started, this waits for the batch to end, which its
     * deadline bounds.
     *
     * @param key the resource key, not {@code null}
     * @param operation the operation, not {@code null}
     * @param timeout how long to wait for the operation to start
     * @param <V> the value type
     * @return the operation's value
     * @throws Exception the operation's own exception as it threw it; {@link ResourceStoreException} when the batch
     *     failed; {@link OperationCancelledException} on the timeout; {@link ProcessorStoppedException} when
     *     stopped; {@link BufferFullException} when refused; {@link InterruptedException} when interrupted
     *     (the operation is then cancelled if it had not started)
     */
    <V> V runAndWait(K key, ResourceOperation<R, V> operation, Duration timeout) throws Exception;

    /**
     * Subscribes to the metrics of every batch finished from now on (elgopher's {@code SubscribeBatchMetrics}).
     *
     * @param listener called on the processor's metrics thread
     */
    void addListener(BatchMetricsListener listener);

    /**
     * Unsubscribes a listener added before.
     *
     * @param listener the listener
     */
    void removeListener(BatchMetricsListener listener);

    /** A consistent snapshot of the counters. */
    ResourceProcessorStats stats();
}
