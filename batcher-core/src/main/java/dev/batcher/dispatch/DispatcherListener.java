package dev.batcher.dispatch;

import dev.batcher.BatchListener;

/**
 * Observes a {@link Dispatcher}'s sends and blocked producers, for metrics: the dispatcher's name for a
 * {@link BatchListener}, kept so that listeners written for the dispatcher read naturally.
 */
public interface DispatcherListener extends BatchListener {

    /** A listener that does nothing. */
    DispatcherListener NONE = new DispatcherListener() {
        @Override
        public boolean isNoOp() {
            return true;
        }
    };
}
