package dev.batcher.kernel;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Delivers an engine's events to its listeners on a thread of its own, so that a slow or failing listener never
 * blocks the engine, the way every engine of this library reports (the cost Batcher's events, the
 * ResourceProcessor's batch metrics, the Coordinator's commits):
 * <ul>
 *   <li>{@link #emit} never waits; at most {@code maxPending} events wait, and beyond that they are dropped,
 *       counted ({@link #lostEvents()}) and logged once;</li>
 *   <li>a listener that throws is logged (the first time with its stack trace) and the others still get the event;</li>
 *   <li>the thread starts with the first event that has a listener to go to (an engine nobody listens to has no
 *       event thread), parks while there is nothing to deliver, and ends after the last event ({@link #closeAfter}).</li>
 * </ul>
 *
 * @param <L> the listener type
 * @param <E> the event type
 */
public final class EventChannel<L, E> {

    private static final Object STOP = new Object();

    private final String label;
    private final String threadName;
    private final int maxPending;
    private final BiConsumer<? super L, ? super E> delivery;
    private final System.Logger log;
    private final List<L> listeners = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Object startLock = new Object();
    private volatile Thread thread;
    private volatile boolean closed;

    /**
     * Creates a channel; no thread runs until there is an event to deliver.
     *
     * @param label how logs name the engine, for example {@code Batcher 'orders'}
     * @param threadName the delivery thread's name
     * @param maxPending how many events may wait before new ones are dropped
     * @param delivery hands one event to one listener
     * @param logger the logger failures and losses are reported on (the engine's)
     */
    public EventChannel(String label, String threadName, int maxPending, BiConsumer<? super L, ? super E> delivery,
            System.Logger logger) {
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be at least 1 (was " + maxPending + ")");
        }
        this.label = Objects.requireNonNull(label, "label");
        this.threadName = Objects.requireNonNull(threadName, "threadName");
        this.maxPending = maxPending;
        this.delivery = Objects.requireNonNull(delivery, "delivery");
        this.log = Objects.requireNonNull(logger, "logger");
    }

    /** Adds a listener; it gets the events emitted from now on. */
    public void add(L listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener added before; it gets no event queued after the call. */
    public void remove(L listener) {
        listeners.remove(listener);
    }

    /** Whether some listener would get an event emitted now; lets an engine skip building events nobody reads. */
    public boolean hasListeners() {
        return !closed && !listeners.isEmpty();
    }

    /** Queues an event for the listeners; drops it when nobody listens, when closed or when too many wait. */
    public void emit(E event) {
        if (!hasListeners()) {
            return;
        }
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            if (lost.getAndIncrement() == 0) {
                log.log(Level.WARNING, label + ": a listener is too slow; events are being dropped");
            }
            return;
        }
        queue.add(event);
        startIfNeeded();
    }

    /** {@link #emit(Object)} of an event built only when some listener would get it. */
    public void emit(Supplier<? extends E> event) {
        if (hasListeners()) {
            emit(event.get());
        }
    }

    /** Queues {@code last} past every bound (when anybody listens), then ends the thread once all is delivered. */
    public void closeAfter(E last) {
        if (closed) {
            return;
        }
        boolean deliver = !listeners.isEmpty();
        closed = true;
        if (deliver) {
            pending.incrementAndGet();
            queue.add(last);
        }
        queue.add(STOP);
        if (deliver) {
            startIfNeeded();
        }
    }

    /** Like {@link #closeAfter} for an engine without a last event: delivers what is queued, then ends the thread. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
    }

    /** Events dropped because the listeners were too slow. */
    public long lostEvents() {
        return lost.get();
    }

    /** Events waiting to be delivered. */
    public int pendingEvents() {
        return Math.max(0, pending.get());
    }

    private void startIfNeeded() {
        if (thread == null) {
            synchronized (startLock) {
                if (thread == null) {
                    Thread started = new Thread(this::run, threadName);
                    started.setDaemon(true);
                    thread = started;
                    started.start();
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void run() {
        while (true) {
            Object next;
            try {
                next = queue.take();
            }
            catch (InterruptedException ex) {
                continue;
            }
            if (next == STOP) {
                return;
            }
            pending.decrementAndGet();
            E event = (E) next;
            for (L listener : listeners) {
                try {
                    delivery.accept(listener, event);
                }
                catch (Throwable ex) {
                    // The first failure with its stack trace; later ones quietly, so a broken listener cannot flood
                    // the log.
                    Level level = failures.getAndIncrement() == 0 ? Level.WARNING : Level.DEBUG;
                    log.log(level, label + ": a listener failed on event " + event, ex);
                }
                finally {
                    Thread.interrupted();
                }
            }
        }
    }
}
