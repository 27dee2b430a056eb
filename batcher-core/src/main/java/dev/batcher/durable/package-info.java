/**
 * A crash-safe, append-only, segmented log of items (bytes) for the durable buffer (issue 11):
 * {@link dev.batcher.durable.DurableLog}, opened with {@link dev.batcher.durable.DurableLogOptions}. Items are
 * appended with a durable position, acknowledged by position in any order, replayed on the next open when they were
 * never acknowledged, and reclaimed (segment files deleted) once every record of a segment is acknowledged. No Spring
 * dependency; see {@code docs/durable-buffer.md} for the file format, the fsync semantics and the numbers.
 */
package dev.batcher.durable;
