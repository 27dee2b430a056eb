package dev.batcher.kernel;

import dev.batcher.BatchLimits;
import java.time.Duration;

/**
 * Overrides for the lane of one key: a watcher's own max batch size and max operation time in the cost Batcher.
 *
 * @param batching when the lane's batches are cut, or {@code null} for the engine's limits
 * @param sendTimeout how long one of its sends may run, or {@code null} for the engine's
 */
public record LanePolicy(BatchLimits batching, Duration sendTimeout) {
}
