package dev.batcher.cost;

import dev.batcher.limit.CapacityEvent;
import dev.batcher.limit.CapacityLimiter;
import dev.batcher.limit.CapacityListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A capacity limiter whose granted capacity the test sets, like a shared limiter's share moving over time. */
final class AdjustableCapacity implements CapacityLimiter {

    private final long maxCapacity;
    private final List<CapacityListener> listeners = new CopyOnWriteArrayList<>();
    private volatile long capacity;
    private volatile long target;
    volatile boolean started;
    volatile boolean closed;

    AdjustableCapacity(long maxCapacity, long capacity) {
        this.maxCapacity = maxCapacity;
        this.capacity = capacity;
    }

    void grant(long granted) {
        capacity = granted;
        listeners.forEach(l -> l.onEvent(new CapacityEvent(CapacityEvent.CAPACITY, granted, null, null)));
    }

    @Override
    public long maxCapacity() {
        return maxCapacity;
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public void setTarget(long needed) {
        target = needed;
    }

    @Override
    public long target() {
        return target;
    }

    @Override
    public void addListener(CapacityListener listener) {
        listeners.add(listener);
    }

    @Override
    public void start() {
        started = true;
    }

    @Override
    public void close() {
        closed = true;
    }
}
