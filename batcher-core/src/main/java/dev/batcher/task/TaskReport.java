package dev.batcher.task;

import java.time.Instant;
import java.util.Objects;

/**
 * What a caller hears about its call: {@link Kind#SENT}, then {@link Kind#PROGRESS} (when reports are asked for), then
 * one final {@link Kind#SUCCESS} or {@link Kind#FAIL} (dingo's report stream).
 *
 * @param taskId the call's id
 * @param name the task name
 * @param kind what happened
 * @param payload the marshalled result ({@code SUCCESS}) or progress value ({@code PROGRESS}), else empty
 * @param failure why it failed ({@code FAIL} only), else {@code null}
 * @param message a human-readable detail (the worker's exception for {@code FAIL}), or {@code null}
 * @param at when it happened
 */
public record TaskReport(String taskId, String name, Kind kind, byte[] payload, FailureCode failure, String message,
        Instant at) {

    /** Checks the parts. */
    public TaskReport {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(at, "at");
        payload = payload == null ? new byte[0] : payload;
        if ((kind == Kind.FAIL) != (failure != null)) {
            throw new IllegalArgumentException("a FAIL report needs a failure code, and only a FAIL report has one");
        }
    }

    /** Whether no report follows this one. */
    public boolean isFinal() {
        return kind == Kind.SUCCESS || kind == Kind.FAIL;
    }

    /** The kinds of report, in the order a call goes through them. */
    public enum Kind {
        /** The call was handed to a broker or a local worker pool. */
        SENT,
        /** The worker reported progress. */
        PROGRESS,
        /** The worker returned; the payload is its result. */
        SUCCESS,
        /** The call failed; see the failure code. */
        FAIL
    }

    /** Why a call failed. */
    public enum FailureCode {
        /** The worker threw (after the retries the client's retry policy allowed). */
        WORKER_THREW,
        /** The engine or the worker shut down before the call ran. */
        SHUTDOWN,
        /** The call ran past its timeout. */
        TIMEOUT,
        /** The task was delivered more than {@code max-deliveries} times (its workers kept dying) and was moved to
         *  the dead-letter stream. */
        DEAD_LETTER,
        /** The payload was refused: too large, not data, or not convertible to the worker's parameter types. */
        BAD_PAYLOAD,
        /** No worker is registered under the name. */
        UNKNOWN_TASK
    }
}
