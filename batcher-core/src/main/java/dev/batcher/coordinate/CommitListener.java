package dev.batcher.coordinate;

/**
 * Observes a {@link Coordinator}'s batches. Called on the coordinator's event thread ({@code batcher-<name>-events},
 * started with the first event), never on a contributor's thread, so a slow listener never delays a commit; one too
 * slow to keep up loses events (at most 4,096 wait). A listener that throws is logged and the next one is called.
 */
@FunctionalInterface
public interface CommitListener {

    /**
     * A batch ended.
     *
     * @param event how
     */
    void onCommit(CommitEvent event);
}
