package dev.batcher.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The handle of one call (dingo's report channel and {@code Result}): the typed result, the reports, a wait with a
 * timeout, and callbacks. The result future completes normally with the worker's result, or exceptionally with a
 * {@link TaskFailedException} carrying the {@link TaskReport.FailureCode}.
 *
 * <p>Reports arrive in order: {@link TaskReport.Kind#SENT}, {@link TaskReport.Kind#PROGRESS} (one when a worker
 * starts the call, then one per {@link TaskContext#progress}), then one final {@link TaskReport.Kind#SUCCESS} or
 * {@link TaskReport.Kind#FAIL}. A call made with {@link TaskOptions#ignoreReports()} has only the final one. A
 * listener added late first gets the reports it missed. Listeners and callbacks run on the queue's callback thread,
 * never on a worker, timer or broker thread; each runs exactly once per event, whether added before or after it.
 *
 * @param <R> the result type
 */
public final class TaskCall<R> {

    private final String name;
    private final String id;
    private final boolean reportsWanted;
    private final Executor callbacks;
    private final long startNanos;
    private final CompletableFuture<R> result = new CompletableFuture<>();
    private final List<TaskReport> reports = new ArrayList<>(3);
    private final List<Consumer<TaskReport>> listeners = new ArrayList<>(1);
    private volatile AutoCloseable subscription;
    private boolean done;

    TaskCall(String name, String id, boolean reportsWanted, Executor callbacks) {
        this.name = name;
        this.id = id;
        this.reportsWanted = reportsWanted;
        this.callbacks = callbacks;
        this.startNanos = System.nanoTime();
    }

    /** The task name. */
    public String name() {
        return name;
    }

    /** The call's id (from the queue's {@link TaskIdMaker}). */
    public String id() {
        return id;
    }

    /** Whether Sent and Progress reports were asked for. */
    public boolean reportsWanted() {
        return reportsWanted;
    }

    /**
     * The result: completes with the worker's return value, or exceptionally with a {@link TaskFailedException}.
     * Completing the returned future yourself does not change the call.
     */
    public CompletableFuture<R> result() {
        return result.copy();
    }

    /** Whether the call has ended (Success or Fail). */
    public boolean isDone() {
        return result.isDone();
    }

    /**
     * Waits for the result (dingo's {@code Wait}).
     *
     * @param timeout how long to wait at most
     * @return the worker's result
     * @throws TaskFailedException when the call failed
     * @throws TimeoutException when it has not ended in time (the call goes on)
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public R await(Duration timeout) throws TimeoutException, InterruptedException {
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (ExecutionException ex) {
            if (ex.getCause() instanceof TaskFailedException failed) {
                throw failed;
            }
            throw new IllegalStateException("Task '" + name + "' (id " + id + ") ended unexpectedly", ex.getCause());
        }
        catch (CancellationException ex) {
            throw new IllegalStateException("Task '" + name + "' (id " + id + ") was cancelled", ex);
        }
    }

    /**
     * Runs {@code callback} once with the result when the call succeeds (at once, on the callback thread, if it
     * already has); never if it fails (dingo's {@code OnOK}).
     *
     * @param callback gets the result
     * @return this call
     */
    public TaskCall<R> onSuccess(Consumer<? super R> callback) {
        Objects.requireNonNull(callback, "callback");
        result.whenCompleteAsync((value, error) -> {
            if (error == null) {
                guarded(() -> callback.accept(value));
            }
        }, callbacks);
        return this;
    }

    /**
     * Runs {@code callback} once with the failure when the call fails (at once, on the callback thread, if it already
     * has); never if it succeeds (dingo's {@code OnNOK}).
     *
     * @param callback gets the failure, with its code
     * @return this call
     */
    public TaskCall<R> onFailure(Consumer<? super TaskFailedException> callback) {
        Objects.requireNonNull(callback, "callback");
        result.whenCompleteAsync((value, error) -> {
            if (error instanceof TaskFailedException failed) {
                guarded(() -> callback.accept(failed));
            }
        }, callbacks);
        return this;
    }

    /**
     * Sends every report of this call to {@code listener}, those already made first, in order.
     *
     * @param listener gets each report once, on the callback thread
     * @return this call
     */
    public TaskCall<R> onReport(Consumer<TaskReport> listener) {
        addListener(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * The reports as a {@link Flow.Publisher}: every subscriber gets all reports of the call (replayed from the
     * first), honouring its demand, then {@code onComplete} after the final one.
     */
    public Flow.Publisher<TaskReport> reports() {
        return subscriber -> new ReportSubscription(this, Objects.requireNonNull(subscriber, "subscriber")).start();
    }

    /** The reports made so far. */
    public synchronized List<TaskReport> reportsSoFar() {
        return List.copyOf(reports);
    }

    /** How long since the call was made. */
    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    void subscription(AutoCloseable subscription) {
        this.subscription = subscription;
    }

    synchronized void addListener(Consumer<TaskReport> listener) {
        for (TaskReport report : reports) {
            callbacks.execute(() -> listener.accept(report));
        }
        listeners.add(listener);
    }

    synchronized void removeListener(Consumer<TaskReport> listener) {
        listeners.remove(listener);
    }

    /** Records a Sent or Progress report (only when wanted); ignored once the call has ended. */
    void report(TaskReport report) {
        if (!reportsWanted) {
            return;
        }
        synchronized (this) {
            if (done) {
                return;
            }
            publish(report);
        }
    }

    /** Completes the result after {@link #end}: the queue counts the outcome in between. */
    void complete(R value) {
        result.complete(value);
    }

    /** Fails the result after {@link #end}. */
    void completeExceptionally(TaskFailedException failure) {
        result.completeExceptionally(failure);
    }

    /**
     * Records the final report; the result is completed after by {@link #complete} or
     * {@link #completeExceptionally}.
     *
     * @return false when the call had already ended
     */
    boolean end(TaskReport report) {
        synchronized (this) {
            if (done) {
                return false;
            }
            done = true;
            publish(report);
        }
        AutoCloseable open = subscription;
        if (open != null) {
            try {
                open.close();
            }
            catch (Exception ignored) {
                // the subscription ends by itself after the final report
            }
        }
        return true;
    }

    private void guarded(Runnable callback) {
        try {
            callback.run();
        }
        catch (RuntimeException | Error ex) {
            System.getLogger(TaskCall.class.getName()).log(System.Logger.Level.WARNING,
                    "A callback of task '" + name + "' (id " + id + ") threw", ex);
        }
    }

    private void publish(TaskReport report) {
        reports.add(report);
        for (Consumer<TaskReport> listener : listeners) {
            callbacks.execute(() -> listener.accept(report));
        }
    }
}
