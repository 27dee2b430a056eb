package dev.batcher.task;

import dev.batcher.task.TaskFunction.Task0;
import dev.batcher.task.TaskFunction.Task1;
import dev.batcher.task.TaskFunction.Task2;
import dev.batcher.task.TaskFunction.Task3;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The task names a {@link TaskQueue} knows, each with its worker function (dingo's {@code Register}) or, in a process
 * that only calls, a declaration of its result type. A name is registered once: a second registration is an error,
 * and a call to a name not here is an error.
 *
 * <pre>{@code
 * TaskRegistry tasks = new TaskRegistry()
 *         .register("add", long.class, long.class, Long.class, (a, b) -> a + b)
 *         .register("resize", imageService, ImageService.class.getMethod("resize", Image.class, TaskContext.class));
 * }</pre>
 *
 * The parameter types are what the arguments are converted to (an {@code Integer} argument to a {@code long}
 * parameter, a {@code Map} to a record); the result type is what a remote caller unmarshals the result to.
 */
public final class TaskRegistry {

    private final ConcurrentHashMap<String, RegisteredTask> tasks = new ConcurrentHashMap<>();
    private final List<Consumer<RegisteredTask>> registrationListeners = new CopyOnWriteArrayList<>();

    /**
     * Registers a task without arguments.
     *
     * @param name the task name
     * @param resultType the result's type
     * @param function the worker
     * @param <R> the result type
     * @return this registry
     * @throws IllegalStateException when the name is taken
     */
    public <R> TaskRegistry register(String name, Class<R> resultType, Task0<R> function) {
        Objects.requireNonNull(function, "function");
        return add(new RegisteredTask(checkName(name), new Type[0], resultType,
                (context, arguments) -> function.apply(), "a Task0 function"));
    }

    /**
     * Registers a task of one argument.
     *
     * @param name the task name
     * @param a the argument's type
     * @param resultType the result's type
     * @param function the worker
     * @param <A> the argument type
     * @param <R> the result type
     * @return this registry
     * @throws IllegalStateException when the name is taken
     */
    @SuppressWarnings("unchecked")
    public <A, R> TaskRegistry register(String name, Class<A> a, Class<R> resultType, Task1<A, R> function) {
        Objects.requireNonNull(function, "function");
        return add(new RegisteredTask(checkName(name), new Type[] {a}, resultType,
                (context, arguments) -> function.apply((A) arguments[0]), "a Task1 function"));
    }

    /**
     * Registers a task of two arguments.
     *
     * @param name the task name
     * @param a the first argument's type
     * @param b the second argument's type
     * @param resultType the result's type
     * @param function the worker
     * @param <A> the first argument type
     * @param <B> the second argument type
     * @param <R> the result type
     * @return this registry
     * @throws IllegalStateException when the name is taken
     */
    @SuppressWarnings("unchecked")
    public <A, B, R> TaskRegistry register(String name, Class<A> a, Class<B> b, Class<R> resultType,
            Task2<A, B, R> function) {
        Objects.requireNonNull(function, "function");
        return add(new RegisteredTask(checkName(name), new Type[] {a, b}, resultType,
                (context, arguments) -> function.apply((A) arguments[0], (B) arguments[1]), "a Task2 function"));
    }

    /**
     * Registers a task of three arguments.
     *
     * @param name the task name
     * @param a the first argument's type
     * @param b the second argument's type
     * @param c the third argument's type
     * @param resultType the result's type
     * @param function the worker
     * @param <A> the first argument type
     * @param <B> the second argument type
     * @param <C> the third argument type
     * @param <R> the result type
     * @return this registry
     * @throws IllegalStateException when the name is taken
     */
    @SuppressWarnings("unchecked")
    public <A, B, C, R> TaskRegistry register(String name, Class<A> a, Class<B> b, Class<C> c, Class<R> resultType,
            Task3<A, B, C, R> function) {
        Objects.requireNonNull(function, "function");
        return add(new RegisteredTask(checkName(name), new Type[] {a, b, c}, resultType,
                (context, arguments) -> function.apply((A) arguments[0], (B) arguments[1], (C) arguments[2]),
                "a Task3 function"));
    }

    /**
     * Registers a task in the general form: any number of arguments (generic types allowed, such as
     * {@code List<Order>}) and the {@link TaskContext}.
     *
     * @param name the task name
     * @param parameterTypes the arguments' types
     * @param resultType the result's type
     * @param function the worker
     * @return this registry
     * @throws IllegalStateException when the name is taken
     */
    public TaskRegistry register(String name, List<? extends Type> parameterTypes, Type resultType,
            TaskFunction function) {
        Objects.requireNonNull(function, "function");
        return add(new RegisteredTask(checkName(name), parameterTypes.toArray(new Type[0]), resultType, function,
                "a TaskFunction"));
    }

    /**
     * Registers a method as a task (what {@code @TaskWorker("name")} methods become): its parameters are the call's
     * arguments with their generic types, except a {@link TaskContext} parameter, which gets the running call; its
     * return type is the result's ({@code void}: {@code null}).
     *
     * @param name the task name
     * @param target the object to call it on ({@code null} for a static method)
     * @param method the method
     * @return this registry
     * @throws IllegalStateException when the name is taken
     * @throws IllegalArgumentException when the method cannot be called on the target
     */
    public TaskRegistry register(String name, Object target, Method method) {
        Objects.requireNonNull(method, "method");
        return add(RegisteredTask.ofMethod(checkName(name), target, method));
    }

    /**
     * Declares a task that runs in another process (remote mode, caller side): calls to it are allowed and its
     * result is unmarshalled to {@code resultType}; this process runs none.
     *
     * @param name the task name
     * @param resultType the result's type
     * @param parameterTypes the arguments' types (calls with another number of arguments are refused)
     * @return this registry
     * @throws IllegalStateException when the name is taken
     */
    public TaskRegistry declare(String name, Type resultType, Type... parameterTypes) {
        return add(new RegisteredTask(checkName(name), parameterTypes, resultType, null, "a declaration"));
    }

    /** Whether the name is registered or declared. */
    public boolean contains(String name) {
        return tasks.containsKey(name);
    }

    /** Every registered or declared name, sorted. */
    public Set<String> names() {
        return new TreeSet<>(tasks.keySet());
    }

    /** The names with a worker function in this process, sorted. */
    public Set<String> workerNames() {
        TreeSet<String> names = new TreeSet<>();
        tasks.forEach((name, task) -> {
            if (task.runnable()) {
                names.add(name);
            }
        });
        return names;
    }

    /** The task of that name, or an {@link UnknownTaskException} naming the known ones. */
    RegisteredTask task(String name) {
        RegisteredTask task = tasks.get(name);
        if (task == null) {
            throw new UnknownTaskException(name, names());
        }
        return task;
    }

    RegisteredTask find(String name) {
        return tasks.get(name);
    }

    /** Tells {@code listener} about every registration from now on (a started queue starts consumers for them). */
    void onRegistration(Consumer<RegisteredTask> listener) {
        registrationListeners.add(listener);
    }

    private TaskRegistry add(RegisteredTask task) {
        RegisteredTask before = tasks.putIfAbsent(task.name(), task);
        if (before != null) {
            throw new IllegalStateException("Task '" + task.name() + "' is already registered (by " + before.source()
                    + "); a name has one worker: rename one of them, or remove the second registration ("
                    + task.source() + ")");
        }
        for (Consumer<RegisteredTask> listener : registrationListeners) {
            listener.accept(task);
        }
        return this;
    }

    private static String checkName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A task name must not be blank (was '" + name + "')");
        }
        return name;
    }
}
