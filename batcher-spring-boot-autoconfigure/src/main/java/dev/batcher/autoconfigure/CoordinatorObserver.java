package dev.batcher.autoconfigure;

import dev.batcher.coordinate.CommitEvent;
import dev.batcher.coordinate.CommitListener;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What the starter keeps about a coordinator's batches, from its {@link CommitEvent}s (on the coordinator's event
 * thread, never on a contributor's): commits that threw in a row, for health; the last batch, for the endpoint; and
 * each event handed on to the meters, when bound.
 */
final class CoordinatorObserver implements CommitListener {

    private final AtomicLong consecutiveFailures = new AtomicLong();

    private volatile CommitEvent last;

    private volatile Consumer<CommitEvent> meters = event -> {
    };

    @Override
    public void onCommit(CommitEvent event) {
        switch (event.outcome()) {
            case COMMITTED -> this.consecutiveFailures.set(0);
            case FAILED -> this.consecutiveFailures.incrementAndGet();
            default -> {
            }
        }
        if (event.outcome() != CommitEvent.Outcome.CLOSED) {
            this.last = event;
        }
        this.meters.accept(event);
    }

    /** Commits that threw since the last one that returned. */
    long consecutiveFailures() {
        return this.consecutiveFailures.get();
    }

    /** The last batch that ended, or {@code null}. */
    CommitEvent last() {
        return this.last;
    }

    /** Hands every event from now on to {@code recorder}. */
    void meters(Consumer<CommitEvent> recorder) {
        this.meters = recorder;
    }
}
