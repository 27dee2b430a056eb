package dev.batcher.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a bean method the worker of a task of the task queue (dingo's {@code Register}): calls made with
 * {@link dev.batcher.task.TaskClient#call(String, Object...) TaskClient.call("name", args...)} run it, in this process
 * ({@code batcher.tasks.mode=local}, the default) or on any process of the application that runs workers
 * ({@code batcher.tasks.mode=redis}, {@code batcher.tasks.role=both} or {@code worker}).
 *
 * <p>The method's parameters are the call's arguments, converted to their declared (generic) types: an
 * {@code Integer} argument to a {@code long} parameter, a JSON object to a record. A parameter of type
 * {@link dev.batcher.task.TaskContext} is not an argument: it gets the running call (its id, attempt, and
 * {@code progress(value)} reports). The return value is the call's result ({@code void}: {@code null}); an exception
 * fails the call with the code {@code WORKER_THREW} (or is retried, with {@code batcher.tasks.retry.max-attempts}
 * above 1). The method must be public, on a bean whose declared type is its class.
 *
 * <pre>{@code
 * @Component
 * class Reports {
 *
 *     @TaskWorker("report")
 *     public ReportSummary report(Instant from, Instant to, TaskContext context) {
 *         ...
 *     }
 * }
 *
 * ReportSummary summary = taskClient.<ReportSummary>call("report", from, to).await(Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>A name has one worker: two {@code @TaskWorker} methods with one name, or a method the queue cannot call, fail
 * startup with a message naming the bean, the method and the fix.
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface TaskWorker {

    /**
     * The task name that calls use; {@code batcher.tasks.workers.<name>.concurrency} sets how many of its calls run
     * at once in this process.
     *
     * @return the task name
     */
    String value();
}
