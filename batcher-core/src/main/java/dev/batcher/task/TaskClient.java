package dev.batcher.task;

/**
 * Calls registered tasks by name (dingo's {@code Call}); the {@link TaskQueue} is one, and the Spring starter makes it
 * an injectable bean. The same code runs in local and remote mode.
 */
public interface TaskClient {

    /**
     * Calls a task with the queue's default options (reports wanted).
     *
     * @param name the task name
     * @param arguments its arguments (converted to the worker's parameter types when they differ)
     * @param <R> the result type (the registered one)
     * @return the call's handle
     * @throws UnknownTaskException when the name is not registered or declared
     * @throws IllegalArgumentException when the number of arguments does not match the task's
     * @throws IllegalStateException when the queue is closed, or the id maker failed
     * @throws TaskBrokerException when the broker refused the task (remote mode)
     */
    <R> TaskCall<R> call(String name, Object... arguments);

    /**
     * Calls a task with options: reports or not, timeout, delay or start time, max attempts.
     *
     * @param name the task name
     * @param options how this call runs
     * @param arguments its arguments
     * @param <R> the result type (the registered one)
     * @return the call's handle
     * @throws UnknownTaskException when the name is not registered or declared
     * @throws IllegalArgumentException when the number of arguments does not match the task's
     * @throws IllegalStateException when the queue is closed, or the id maker failed
     * @throws TaskBrokerException when the broker refused the task (remote mode)
     */
    <R> TaskCall<R> call(String name, TaskOptions options, Object... arguments);
}
