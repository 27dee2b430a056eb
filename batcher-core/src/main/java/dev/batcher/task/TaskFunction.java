package dev.batcher.task;

/**
 * A worker function in its most general form: the arguments as converted to the registered parameter types, and the
 * call's {@link TaskContext} (to report progress). The typed forms {@link Task0} to {@link Task3} are for plain
 * functions; {@link TaskRegistry#register(String, Object, java.lang.reflect.Method)} takes a method.
 */
@FunctionalInterface
public interface TaskFunction {

    /**
     * Runs the task.
     *
     * @param context the running call: id, attempt, progress reports
     * @param arguments the arguments, converted to the registered parameter types
     * @return the result, or {@code null}
     * @throws Exception any failure: the attempt fails with {@link TaskReport.FailureCode#WORKER_THREW} (retried
     *     while attempts remain)
     */
    Object apply(TaskContext context, Object[] arguments) throws Exception;

    /**
     * A task without arguments.
     *
     * @param <R> the result type
     */
    @FunctionalInterface
    interface Task0<R> {

        /**
         * Runs the task.
         *
         * @return the result
         * @throws Exception any failure
         */
        R apply() throws Exception;
    }

    /**
     * A task of one argument.
     *
     * @param <A> the argument type
     * @param <R> the result type
     */
    @FunctionalInterface
    interface Task1<A, R> {

        /**
         * Runs the task.
         *
         * @param a the argument
         * @return the result
         * @throws Exception any failure
         */
        R apply(A a) throws Exception;
    }

    /**
     * A task of two arguments.
     *
     * @param <A> the first argument's type
     * @param <B> the second argument's type
     * @param <R> the result type
     */
    @FunctionalInterface
    interface Task2<A, B, R> {

        /**
         * Runs the task.
         *
         * @param a the first argument
         * @param b the second argument
         * @return the result
         * @throws Exception any failure
         */
        R apply(A a, B b) throws Exception;
    }

    /**
     * A task of three arguments.
     *
     * @param <A> the first argument's type
     * @param <B> the second argument's type
     * @param <C> the third argument's type
     * @param <R> the result type
     */
    @FunctionalInterface
    interface Task3<A, B, C, R> {

        /**
         * Runs the task.
         *
         * @param a the first argument
         * @param b the second argument
         * @param c the third argument
         * @return the result
         * @throws Exception any failure
         */
        R apply(A a, B b, C c) throws Exception;
    }
}
