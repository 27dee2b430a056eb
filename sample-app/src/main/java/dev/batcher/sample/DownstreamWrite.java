package dev.batcher.sample;

/**
 * One write to the downstream API: what {@code POST /downstream/write} takes, in a JSON array, and what cost batcher
 * {@code downstream} carries as an operation's payload.
 *
 * @param id names the write, for logs
 * @param cost the capacity units it uses at the API, at least 1 (the API charges the sum of a request's costs)
 */
public record DownstreamWrite(String id, long cost) {
}
