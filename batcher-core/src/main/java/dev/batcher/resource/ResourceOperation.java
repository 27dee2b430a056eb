package dev.batcher.resource;

/**
 * One caller's work on a resource, run by a {@link ResourceProcessor} inside a batch.
 *
 * <p>Operations of one key run one at a time, in arrival order, on the batch's thread, so they need no locking of
 * their own; they share one resource instance, so each must leave it consistent for the next. They should be quick
 * and do no I/O: the batch's load and save do the I/O once for all of them.
 *
 * <p><b>Validate first, then mutate.</b> An operation that throws fails only its own caller; the others of the
 * batch go on and the resource is saved with whatever the operations changed, including the thrower's changes made
 * before it threw. So check whether the operation is possible first, throw if it is not, and change the resource
 * only afterwards.
 *
 * @param <R> the resource type
 * @param <V> the value the caller gets
 */
@FunctionalInterface
public interface ResourceOperation<R, V> {

    /**
     * Runs on the batch's resource.
     *
     * @param resource the loaded resource, shared by every operation of the batch ({@code null} if load returned it)
     * @return the caller's value, delivered once the batch was saved
     * @throws Exception to fail this caller only (with this very exception)
     */
    V apply(R resource) throws Exception;
}
