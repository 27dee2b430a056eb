package dev.batcher.resource;

import java.time.Instant;

/**
 * Where a {@link ResourceProcessor} loads a resource from and saves it to (elgopher's {@code LoadResource} and
 * {@code SaveResource}): a database row, a document, a value in a key-value store.
 *
 * <p>Both methods run on the batch's thread ({@code batcher-<name>-send-<n>}), once per batch: {@link #load} before
 * the first operation of the batch, {@link #save} after the last. They get the batch's deadline (the batch's start
 * plus {@code max-duration}) and should bound their own I/O by it, for example with {@code Statement.setQueryTimeout}
 * or a client timeout: a call still running when the processor gives up on the batch has its thread interrupted.
 * Throwing aborts the batch: every caller of the batch gets a {@link ResourceStoreException} that names the key,
 * the phase and carries the cause.
 *
 * @param <K> the resource key type
 * @param <R> the resource type
 */
public interface ResourceStore<K, R> {

    /**
     * Loads the resource of {@code key}; called at the start of every batch of that key.
     *
     * @param key the resource's key
     * @param deadline when the whole batch (load, operations, save) must be done
     * @return the resource; {@code null} is allowed (an absent resource), the operations then get {@code null}
     * @throws Exception to abort the batch; nothing is saved
     */
    R load(K key, Instant deadline) throws Exception;

    /**
     * Saves the resource of {@code key} after every operation of the batch ran on it.
     *
     * @param key the resource's key
     * @param resource the instance {@link #load} returned, as the batch's operations left it
     * @param deadline when the whole batch must be done
     * @throws Exception to fail every caller of the batch
     */
    void save(K key, R resource, Instant deadline) throws Exception;
}
