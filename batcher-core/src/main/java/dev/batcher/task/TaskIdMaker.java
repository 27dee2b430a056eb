package dev.batcher.task;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes the ids of new calls (dingo's {@code IDMaker}). An id must be unique among the calls of one task name; the
 * queue identifies a call by name and id together, so two names may use the same ids. Must be thread-safe.
 */
@FunctionalInterface
public interface TaskIdMaker {

    /**
     * The id of a new call.
     *
     * @param taskName the task called
     * @return an id not given before for that name
     */
    String next(String taskName);

    /** Random UUIDs (the default). */
    static TaskIdMaker uuid() {
        return taskName -> UUID.randomUUID().toString();
    }

    /**
     * A sequence per task name from 1: {@code "1"}, {@code "2"}, ... (so different names share ids). Refuses to wrap
     * around: past {@link Long#MAX_VALUE} every call fails with an {@link IllegalStateException}.
     */
    static TaskIdMaker sequence() {
        return sequence(1);
    }

    /**
     * A sequence per task name from {@code first}.
     *
     * @param first the first id of every name
     * @return the id maker
     * @throws IllegalArgumentException for {@link Long#MIN_VALUE}
     */
    static TaskIdMaker sequence(long first) {
        if (first == Long.MIN_VALUE) {
            throw new IllegalArgumentException("A sequence cannot start at Long.MIN_VALUE");
        }
        Map<String, AtomicLong> next = new ConcurrentHashMap<>();
        return taskName -> {
            long id = next.computeIfAbsent(taskName, key -> new AtomicLong(first))
                    .getAndUpdate(value -> value == Long.MAX_VALUE || value == Long.MIN_VALUE ? Long.MIN_VALUE : value + 1);
            if (id == Long.MIN_VALUE) {
                throw new IllegalStateException("The sequence id maker of task '" + taskName + "' ran out of ids "
                        + "(it reached " + Long.MAX_VALUE + " and does not wrap around, which would reuse ids): use "
                        + "TaskIdMaker.uuid(), or a sequence starting lower");
            }
            return Long.toString(id);
        };
    }
}
