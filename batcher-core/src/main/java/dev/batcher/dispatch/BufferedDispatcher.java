package dev.batcher.dispatch;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Engine under construction (replaced in the next commit). */
final class BufferedDispatcher<T> implements Dispatcher<T> {
    private final String name;
    private final DispatcherConfig<T> config;
    BufferedDispatcher(String name, DispatcherConfig<T> config, BatchSender<T> sender) { this.name = name; this.config = config; }
    public String name() { return name; }
    public DispatcherConfig<T> config() { return config; }
    public CompletableFuture<Void> submit(T item) { throw new UnsupportedOperationException(); }
    public void enqueue(T item) { throw new UnsupportedOperationException(); }
    public void flush() { }
    public void pause() { }
    public void resume() { }
    public boolean close(Duration timeout) { return true; }
    public void close() { }
    public void shutdownNow() { }
    public boolean isClosed() { return false; }
    public boolean isDrained() { return false; }
    public DispatcherStats stats() { throw new UnsupportedOperationException(); }
}
