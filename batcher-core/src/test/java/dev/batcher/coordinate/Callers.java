package dev.batcher.coordinate;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Caller threads for the tests: each call runs on a thread of its own, and every thread ends with the test. */
final class Callers implements AutoCloseable {

    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "caller");
        thread.setDaemon(true);
        return thread;
    });

    /** Runs {@code call} on a new caller thread. */
    <T> CompletableFuture<T> run(Supplier<T> call) {
        return CompletableFuture.supplyAsync(call, threads);
    }

    @Override
    public void close() throws InterruptedException {
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
    }
}
