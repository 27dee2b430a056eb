/**
 * The cost-aware batcher (go-batcher): {@link dev.batcher.cost.Batcher}, {@link dev.batcher.cost.Operation},
 * {@link dev.batcher.cost.Watcher}, {@link dev.batcher.cost.BatcherConfig}. Operations with a cost are batched per
 * watcher and paced by a {@link dev.batcher.limit.CapacityLimiter}. Runs on the shared kernel
 * ({@code dev.batcher.kernel}); see {@code docs/cost-batcher.md} for where each behaviour lives.
 */
package dev.batcher.cost;
