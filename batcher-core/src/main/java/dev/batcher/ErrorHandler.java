package dev.batcher;

/**
 * Decides whether a failed batch should be retried (luci's {@code ErrorFn}).
 *
 * <p>Called on a sender thread after every failed attempt. Returning {@code true} hands the batch to the retry
 * policy, which may still drop it with {@link DropReason#RETRIES_EXHAUSTED}; returning {@code false} drops it with
 * {@link DropReason#NOT_RETRYABLE}. A handler that throws is treated as returning {@code false} and logged; it never
 * stops the dispatcher.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface ErrorHandler<T> {

    /**
     * The default: retry unless the failure (or one of its causes) is a {@link PermanentSendException}, an
     * {@link IllegalArgumentException} or a {@link ClassCastException}, which retrying would repeat.
     *
     * @param <T> the item type
     * @return the default handler
     */
    static <T> ErrorHandler<T> retryTransient() {
        return (batch, error) -> !isPermanent(error);
    }

    /**
     * Tells whether a failure is permanent by the default rule of {@link #retryTransient()}.
     *
     * @param error the failure
     * @return {@code true} when retrying cannot help
     */
    static boolean isPermanent(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PermanentSendException || t instanceof IllegalArgumentException
                    || t instanceof ClassCastException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Decides on a failed attempt.
     *
     * @param batch the batch that failed; {@link Batch#attempt()} tells how many attempts were made
     * @param error what the sender threw, or a {@link SendTimeoutException}
     * @return {@code true} to retry (subject to the retry policy), {@code false} to drop the batch
     */
    boolean shouldRetry(Batch<T> batch, Throwable error);
}
