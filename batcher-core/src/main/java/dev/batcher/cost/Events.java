package dev.batcher.cost;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers a batcher's events to its listeners on a thread of its own, so that a slow or failing listener never
 * blocks the engine: {@link #emit} never waits; at most {@value #MAX_PENDING} events wait, and beyond that they are
 * dropped and counted. The thread parks while there is nothing to deliver and ends after the last event
 * ({@link #closeAfter}).
 */
final class Events {

    private static final System.Logger LOG = System.getLogger(Batcher.class.getName());
    static final int MAX_PENDING = 4_096;
    private static final BatcherEvent STOP = BatcherEvent.of("stop", 0, null);

    private final String label;
    private final List<BatcherListener> listeners = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<BatcherEvent> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;

    Events(String name) {
        this.label = "Batcher '" + name + "'";
        this.thread = new Thread(this::run, "batcher-" + name + "-events");
        thread.setDaemon(true);
        thread.start();
    }

    void add(BatcherListener listener) {
        listeners.add(listener);
    }

    void remove(BatcherListener listener) {
        listeners.remove(listener);
    }

    /** Queues an event for the listeners; drops it when nobody listens, when closed or when too many wait. */
    void emit(BatcherEvent event) {
        if (closed || listeners.isEmpty()) {
            return;
        }
        if (pending.incrementAndGet() > MAX_PENDING) {
            pending.decrementAndGet();
            if (lost.getAndIncrement() == 0) {
                LOG.log(Level.WARNING, label + ": a listener is too slow; events are being dropped");
            }
            return;
        }
        queue.add(event);
    }

    void emit(String name, long value, String message) {
        if (!closed && !listeners.isEmpty()) {
            emit(BatcherEvent.of(name, value, message));
        }
    }

    /** Queues {@code last} past every bound, then ends the thread once everything queued is delivered. */
    void closeAfter(BatcherEvent last) {
        if (!closed) {
            closed = true;
            pending.incrementAndGet();
            queue.add(last);
            queue.add(STOP);
        }
    }

    private void run() {
        while (true) {
            BatcherEvent event;
            try {
                event = queue.take();
            }
            catch (InterruptedException ex) {
                continue;
            }
            if (event == STOP) {
                return;
            }
            pending.decrementAndGet();
            for (BatcherListener listener : listeners) {
                try {
                    listener.onEvent(event);
                }
                catch (Throwable ex) {
                    // The first failure with its stack trace; later ones quietly, so a broken listener cannot flood
                    // the log.
                    Level level = failures.getAndIncrement() == 0 ? Level.WARNING : Level.DEBUG;
                    LOG.log(level, label + ": a listener failed on event " + event.name(), ex);
                }
                finally {
                    Thread.interrupted();
                }
            }
        }
    }
}
