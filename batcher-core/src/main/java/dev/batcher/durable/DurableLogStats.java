package dev.batcher.durable;

/**
 * A snapshot of a {@link DurableLog}'s state and counters. Counters count from the {@link DurableLog#open open}
 * (a new process starts them at zero; {@link #records()} and {@link #bytesOnDisk()} are what the files hold).
 *
 * @param bytesOnDisk bytes of the segment and acknowledgement files (the active segment and the prepared next one
 *     count whole: they are allocated up front)
 * @param records records on disk not acknowledged yet (what a reopen would replay)
 * @param segments segment files, the active one included
 * @param appended records appended since the open
 * @param acknowledged records acknowledged since the open (each once)
 * @param replayed records {@link DurableLog#replay} delivered
 * @param fsyncs group fsyncs done (one may cover many appends)
 * @param fsyncNanosTotal time spent in those fsyncs, in nanoseconds (with {@link #fsyncs()}: the mean)
 * @param fsyncNanosMax the longest of those fsyncs, in nanoseconds
 * @param truncatedTails torn or corrupt tails cut off at the open
 * @param nextPosition the position the next append gets
 * @param durablePosition every position up to this one is on the storage device; -1 before the first
 */
public record DurableLogStats(long bytesOnDisk, long records, int segments, long appended, long acknowledged,
        long replayed, long fsyncs, long fsyncNanosTotal, long fsyncNanosMax, long truncatedTails, long nextPosition,
        long durablePosition) {
}
