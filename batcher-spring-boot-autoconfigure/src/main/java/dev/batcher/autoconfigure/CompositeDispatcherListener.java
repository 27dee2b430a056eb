package dev.batcher.autoconfigure;

import dev.batcher.dispatch.DispatcherListener;
import dev.batcher.SendOutcome;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Calls the metrics listener and the application's listener, so that both fit the single listener slot of the
 * configuration. One that throws neither stops the other nor reaches the engine.
 */
final class CompositeDispatcherListener implements DispatcherListener {

    private static final Log logger = LogFactory.getLog(CompositeDispatcherListener.class);

    private final DispatcherListener first;

    private final DispatcherListener second;

    CompositeDispatcherListener(DispatcherListener first, DispatcherListener second) {
        this.first = first;
        this.second = second;
    }

    static DispatcherListener of(DispatcherListener first, DispatcherListener second) {
        if (first == null || first == DispatcherListener.NONE) {
            return second;
        }
        if (second == null || second == DispatcherListener.NONE) {
            return first;
        }
        return new CompositeDispatcherListener(first, second);
    }

    @Override
    public void onSendCompleted(int items, long bytes, long durationNanos, SendOutcome outcome) {
        try {
            this.first.onSendCompleted(items, bytes, durationNanos, outcome);
        }
        catch (RuntimeException ex) {
            logger.warn("Dispatcher listener " + this.first + " failed", ex);
        }
        this.second.onSendCompleted(items, bytes, durationNanos, outcome);
    }

    @Override
    public void onProducerBlocked(long nanos) {
        try {
            this.first.onProducerBlocked(nanos);
        }
        catch (RuntimeException ex) {
            logger.warn("Dispatcher listener " + this.first + " failed", ex);
        }
        this.second.onProducerBlocked(nanos);
    }
}
