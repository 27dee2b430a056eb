package dev.batcher.task;

/**
 * Counts of one task name, or of the whole queue, at one moment. Calls are counted by the process that made them
 * (submitted, succeeded, failed); runs by the process that ran them (running, waiting, retried).
 *
 * @param submitted calls made
 * @param succeeded calls that ended with Success
 * @param failed calls that ended with Fail
 * @param retried attempts that failed and were scheduled again
 * @param running attempts running on this process's workers now
 * @param waiting attempts accepted by this process's workers and not started (delayed ones included)
 */
public record TaskStats(long submitted, long succeeded, long failed, long retried, int running, int waiting) {

    /** Calls made and not ended yet. */
    public long outstanding() {
        return submitted - succeeded - failed;
    }
}
