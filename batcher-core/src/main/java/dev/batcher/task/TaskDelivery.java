package dev.batcher.task;

import java.util.concurrent.CompletionStage;

/**
 * What a {@link TaskBroker} hands a delivered task to: the worker side of the task queue. The broker acknowledges the
 * task (it is never delivered again) only when the returned stage completes normally, which the worker side does
 * after the final report is stored; if the stage fails or the process dies first, the task stays pending and is
 * delivered again after the reclaim idle time (at least once).
 */
@FunctionalInterface
public interface TaskDelivery {

    /**
     * Runs a delivered task.
     *
     * @param task the task, with its delivery count set
     * @return completes once the task's outcome is reported and it may be acknowledged
     */
    CompletionStage<Void> deliver(TaskMessage task);
}
