package dev.batcher.task;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One subscriber of a call's reports ({@link TaskCall#reports()}): reports are queued as they come and handed over as
 * the subscriber's demand allows, one signal at a time (a work-in-progress counter serialises them), then
 * {@code onComplete} after the final report.
 */
final class ReportSubscription implements Flow.Subscription, Consumer<TaskReport> {

    private final TaskCall<?> call;
    private final Flow.Subscriber<? super TaskReport> subscriber;
    private final ConcurrentLinkedQueue<TaskReport> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean cancelled;
    private volatile Throwable badRequest;
    private boolean completed;

    ReportSubscription(TaskCall<?> call, Flow.Subscriber<? super TaskReport> subscriber) {
        this.call = call;
        this.subscriber = subscriber;
    }

    void start() {
        subscriber.onSubscribe(this);
        call.addListener(this);
    }

    @Override
    public void accept(TaskReport report) {
        queue.add(report);
        drain();
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            badRequest = new IllegalArgumentException("Flow rule 3.9: request(n) needs n > 0 (was " + n + ")");
        }
        else {
            demand.getAndUpdate(value -> value + n < 0 ? Long.MAX_VALUE : value + n);
        }
        drain();
    }

    @Override
    public void cancel() {
        cancelled = true;
        call.removeListener(this);
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            if (!cancelled && !completed) {
                Throwable error = badRequest;
                if (error != null) {
                    cancel();
                    subscriber.onError(error);
                }
                else {
                    TaskReport next;
                    while (!cancelled && demand.get() > 0 && (next = queue.poll()) != null) {
                        demand.decrementAndGet();
                        subscriber.onNext(next);
                        if (next.isFinal()) {
                            completed = true;
                            call.removeListener(this);
                            subscriber.onComplete();
                            break;
                        }
                    }
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }
}
