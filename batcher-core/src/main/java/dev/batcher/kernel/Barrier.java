package dev.batcher.kernel;

import java.util.concurrent.CompletableFuture;

/**
 * What a {@code flush()} waits for: the batches that were in the kernel when it was called. Counted down on the
 * callback thread as each one settles, after its futures and drop handler ran.
 */
final class Barrier {

    final CompletableFuture<Void> future = new CompletableFuture<>();
    private int remaining;

    Barrier(int batches) {
        this.remaining = batches;
    }

    /** Called on the callback thread only. */
    void batchSettled() {
        if (--remaining == 0) {
            future.complete(null);
        }
    }
}
