/**
 * The commit Coordinator (nikandfor/batch): many concurrent callers contribute to one shared state under mutual
 * exclusion, and one commit on the thread of the last caller in settles all of them with the same result or the same
 * exception. {@link dev.batcher.coordinate.Coordinator} is the entry point; {@link dev.batcher.coordinate.Ticket}
 * announces a caller so that the batch waits for it; {@link dev.batcher.coordinate.CoordinatorConfig} sets the number
 * of parallel coaches and their {@link dev.batcher.coordinate.Balancer}. See {@code docs/coordinator.md} for where
 * each behaviour lives.
 */
package dev.batcher.coordinate;
