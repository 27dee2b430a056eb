package dev.batcher.durable;

/** {@code buffer.durable.fsync}: when appended records are forced to the storage device. */
public enum FsyncPolicy {

    /**
     * {@code always}: an append returns only after its record is on the storage device (survives a power cut).
     * Concurrent appenders share one fsync (group commit: the first waiter forces everything written so far and the
     * others find their record covered).
     */
    ALWAYS,

    /**
     * {@code interval}: an append returns once its record is in the operating system's page cache (survives a crash
     * of the process, not a power cut); a background flusher forces the log {@code buffer.durable.fsync-interval}
     * after the first unforced write, so a power cut loses at most about one interval of appends.
     */
    INTERVAL;

    /**
     * Parses a property value: {@code always} or {@code interval}, in any case.
     *
     * @param value the property value
     * @return the policy
     * @throws dev.batcher.InvalidOptionException naming {@code buffer.durable.fsync} for any other value
     */
    public static FsyncPolicy parse(String value) {
        if (value != null) {
            for (FsyncPolicy policy : values()) {
                if (policy.name().equalsIgnoreCase(value.trim())) {
                    return policy;
                }
            }
        }
        throw new dev.batcher.InvalidOptionException(DurableLogOptions.FSYNC, value, "must be always or interval");
    }
}
