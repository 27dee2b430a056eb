package dev.batcher.task;

import java.time.Instant;

/**
 * Something the task queue wants a person to know (dingo's events): a failure or a debug trace, with its level and
 * the part it came from. Listen with {@link TaskQueue#listen(java.util.Set, Level, java.util.function.Consumer)}.
 *
 * @param level how severe
 * @param origin which part of the queue
 * @param taskName the task name, or {@code null}
 * @param taskId the call's id, or {@code null}
 * @param message what happened
 * @param error the exception, or {@code null}
 * @param at when
 */
public record TaskEvent(Level level, Origin origin, String taskName, String taskId, String message, Throwable error,
        Instant at) {

    /** Severity, lowest first. */
    public enum Level {
        /** A trace of normal work: a call sent, started, finished. */
        DEBUG,
        /** A notable normal event: a retry scheduled. */
        INFO,
        /** Something went wrong that the queue handled: a payload refused, a call timed out. */
        WARNING,
        /** Something failed: a worker threw, a broker call failed. */
        ERROR
    }

    /** The part of the queue an event comes from (dingo's {@code ObjT} targets). */
    public enum Origin {
        /** The calling side: ids, sending, results. */
        CLIENT,
        /** The worker side: runs, retries, timeouts. */
        WORKER,
        /** The broker: publishing, consuming, reports. */
        BROKER,
        /** Marshalling and conversion of arguments and results. */
        MARSHALLER
    }
}
