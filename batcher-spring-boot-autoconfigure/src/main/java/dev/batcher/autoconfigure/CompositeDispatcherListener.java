package dev.batcher.autoconfigure;

import dev.batcher.dispatch.DispatcherListener;
import dev.batcher.SendOutcome;
import java.util.Arrays;
import java.util.Objects;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Calls the starter's listeners (meters, DEBUG logging) and the application's listener, so that all fit the single
 * listener slot of the configuration. A listener that throws stops neither the others nor reaches the engine, except
 * the last one (the application's), whose failure the engine logs.
 */
final class CompositeDispatcherListener implements DispatcherListener {

    private static final Log logger = LogFactory.getLog(CompositeDispatcherListener.class);

    private final DispatcherListener[] listeners;

    private CompositeDispatcherListener(DispatcherListener[] listeners) {
        this.listeners = listeners;
    }

    /**
     * Composes listeners, in order; {@code null} and {@link DispatcherListener#NONE} are left out.
     *
     * @param listeners the listeners
     * @return the composition, the only listener, or {@link DispatcherListener#NONE}
     */
    static DispatcherListener of(DispatcherListener... listeners) {
        DispatcherListener[] present = Arrays.stream(listeners)
                .filter(Objects::nonNull)
                .filter(listener -> listener != DispatcherListener.NONE)
                .toArray(DispatcherListener[]::new);
        if (present.length == 0) {
            return DispatcherListener.NONE;
        }
        return (present.length == 1) ? present[0] : new CompositeDispatcherListener(present);
    }

    @Override
    public void onSendCompleted(int items, long bytes, long durationNanos, SendOutcome outcome) {
        int last = this.listeners.length - 1;
        for (int i = 0; i < last; i++) {
            try {
                this.listeners[i].onSendCompleted(items, bytes, durationNanos, outcome);
            }
            catch (RuntimeException ex) {
                logger.warn("Dispatcher listener " + this.listeners[i] + " failed", ex);
            }
        }
        this.listeners[last].onSendCompleted(items, bytes, durationNanos, outcome);
    }

    @Override
    public void onProducerBlocked(long nanos) {
        int last = this.listeners.length - 1;
        for (int i = 0; i < last; i++) {
            try {
                this.listeners[i].onProducerBlocked(nanos);
            }
            catch (RuntimeException ex) {
                logger.warn("Dispatcher listener " + this.listeners[i] + " failed", ex);
            }
        }
        this.listeners[last].onProducerBlocked(nanos);
    }
}
