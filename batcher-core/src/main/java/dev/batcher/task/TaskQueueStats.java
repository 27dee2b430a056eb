package dev.batcher.task;

/**
 * What a broker holds for one task name at one moment.
 *
 * @param depth tasks published and not yet delivered (delayed ones included)
 * @param pending tasks delivered and not yet acknowledged
 * @param deadLettered tasks moved to the dead-letter store so far
 * @param consumers consumers reading the name's tasks
 */
public record TaskQueueStats(long depth, long pending, long deadLettered, int consumers) {
}
