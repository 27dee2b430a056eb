package dev.batcher.task;

import java.time.Instant;
import java.util.Objects;

/**
 * A call on its way to a worker, as a {@link TaskBroker} stores and delivers it: data only, the arguments already
 * marshalled to bytes, never a class name.
 *
 * @param id the call's id (from the client's id maker); unique per task name
 * @param name the registered task name
 * @param payload the marshalled arguments
 * @param attempt 1 for the first run, then one more for each retry the client schedules after a worker failure
 * @param delivery how many times a broker has delivered this attempt (1 the first time; more after a worker died
 *     and the task was reclaimed); a broker sets it on delivery, {@code 0} when publishing
 * @param notBefore when the task may run at the earliest (a delayed call or a retry's back-off), or {@code null} for now
 * @param reports whether the caller wants the Sent and Progress reports (Success and Fail are always stored)
 */
public record TaskMessage(String id, String name, byte[] payload, int attempt, int delivery, Instant notBefore,
        boolean reports) {

    /** Checks the parts. */
    public TaskMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(payload, "payload");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1 (was " + attempt + ")");
        }
        if (delivery < 0) {
            throw new IllegalArgumentException("delivery must not be negative (was " + delivery + ")");
        }
    }

    /** This message as delivered for the {@code delivery}-th time. */
    public TaskMessage delivered(int delivery) {
        return new TaskMessage(id, name, payload, attempt, delivery, notBefore, reports);
    }
}
