package dev.batcher.coordinate;

import java.util.NoSuchElementException;

/**
 * The outcome of a non-blocking try ({@link Coordinator#tryContribute}): refused at once because a commit was in
 * progress, or entered, in which case it holds the commit's result (which may be {@code null}).
 *
 * @param refused whether the contribution was refused and not made
 * @param result the commit's result when entered, else {@code null}
 * @param <R> the result type
 */
public record Attempt<R>(boolean refused, R result) {

    static <R> Attempt<R> refusedAttempt() {
        return new Attempt<>(true, null);
    }

    /** Whether the contribution was made and committed. */
    public boolean entered() {
        return !refused;
    }

    /**
     * The commit's result.
     *
     * @return the result (may be {@code null})
     * @throws NoSuchElementException when the try was refused
     */
    public R orElseThrow() {
        if (refused) {
            throw new NoSuchElementException("The try was refused: a commit was in progress");
        }
        return result;
    }
}
