package dev.batcher.limit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** A fixed capacity (go-batcher's {@code ProvisionedResource}): always granted, whatever the target. */
public final class ProvisionedCapacity implements CapacityLimiter {

    private final long capacity;
    private final List<CapacityListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile long target;

    /**
     * Creates the limiter.
     *
     * @param capacity cost units per second, at least 1
     */
    public ProvisionedCapacity(long capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1 cost unit per second, but was " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public long maxCapacity() {
        return capacity;
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public void setTarget(long needed) {
        if (needed != target) {
            target = needed;
            emit(new CapacityEvent(CapacityEvent.TARGET, needed, null, null));
        }
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
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("The provisioned capacity limiter is already started");
        }
        emit(new CapacityEvent(CapacityEvent.CAPACITY, capacity, "provisioned", null));
    }

    private void emit(CapacityEvent event) {
        for (CapacityListener listener : listeners) {
            try {
                listener.onEvent(event);
            }
            catch (RuntimeException ex) {
                System.getLogger(ProvisionedCapacity.class.getName())
                        .log(System.Logger.Level.WARNING, "A capacity listener failed", ex);
            }
        }
    }

    @Override
    public void close() {
        // Nothing is held.
    }
}
