package dev.batcher.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpscArrayQueue;

/**
 * The practical limit of a bounded hand-off (issue 7): a JCTools {@link MpscArrayQueue} of 65,536 items and one
 * consumer thread that drains up to 100 items at a time ({@code drain(consumer, 100)}) into a batch, cut at 100
 * items or 10 ms after its first item, like {@link AbqDrainToPipeline}.
 *
 * <p>Producers: {@code offer} (a CAS on the producer index, no lock, no allocation); when the queue is full they
 * retry after {@link Thread#yield()} {@value #FULL_YIELDS} times, then after a short {@code parkNanos} each time:
 * the lock-free equivalent of {@code ArrayBlockingQueue.put} blocking. Yielding only was 2x slower with 4 producers
 * on 2 cores (13-18 M/s against 30-41 M/s, three interleaved runs): producers that stay runnable on a full queue
 * take the core from the consumer and from a producer preempted between its CAS and its store, which the consumer
 * must wait for. Parking after a few yields frees the cores, as {@code put} does; the queue holds 65,536 items, so a
 * ~50 us park never starves the consumer.
 *
 * <p>After a successful offer a producer wakes the consumer only if the consumer announced it is parked (one volatile
 * read), and only one producer per park does (it clears the announcement with {@code getAndSet}), so that the others
 * do not queue up on {@code unpark} while the consumer is waking.
 *
 * <p>Consumer idle strategy, when a drain finds nothing: spin {@value #SPINS} times ({@link Thread#onSpinWait()}),
 * then yield {@value #YIELDS} times, then park: untimed while it waits for the first item of a batch,
 * {@code parkNanos} until the batch's 10 ms deadline while it fills one. When the drain finds nothing but the queue
 * is not empty (a producer claimed a slot and has not stored its item yet), it yields instead of parking. This is
 * Agrona's {@code BackoffIdleStrategy} except for its last step, an untimed park that a producer ends instead of a
 * periodic {@code parkNanos} poll (Dekker-style: the consumer publishes {@code parked} and then checks the queue; a
 * producer advances the producer index and then reads {@code parked}; both are volatile, so at least one of them
 * sees the other): an idle consumer uses no CPU ({@code IdleCpu 5000 jctoolsMpsc} measures it).
 *
 * <p><b>With a future per item</b> ({@link Futures}), the reference for the Dispatcher's {@code submit}: each
 * {@link #put} allocates a {@link CompletableFuture} that carries its item (one object per item, as {@code submit}
 * allocates one), and the future completes once its batch is consumed: on the consumer thread
 * ({@link Futures#ON_CONSUMER}, two threads), or on a third thread that the consumer hands each consumed batch to
 * through an SPSC queue ({@link Futures#ON_COMPLETER}), the shape the Dispatcher's contract asks for: continuations of
 * user futures never run on the thread that sends (issue 7, defects 6-8). The completer waits as the consumer does.
 */
final class JctoolsMpscPipeline implements Pipeline {

    /** Whether {@link #put} returns a future, and which thread completes it. */
    enum Futures {
        /** No future: {@code put} returns {@code null}. */
        NONE,
        /** The consumer completes each batch's futures after the sink took the batch. */
        ON_CONSUMER,
        /** A third thread completes them, handed each consumed batch by the consumer. */
        ON_COMPLETER
    }

    /** A future that carries its item through the queue: one allocation per item. */
    private static final class ItemFuture extends CompletableFuture<Object> {
        final Long item;

        ItemFuture(Long item) {
            this.item = item;
        }
    }

    /** Busy-spin steps of the consumer's backoff before it yields. */
    static final int SPINS = 64;

    /** {@link Thread#yield()} steps of the consumer's backoff before it parks. */
    static final int YIELDS = 8;

    /** {@link Thread#yield()} retries of a producer that finds the queue full, before it parks between retries. */
    static final int FULL_YIELDS = 4;

    /** How long a producer parks between retries after {@link #FULL_YIELDS} (Linux rounds it up to ~50 us). */
    static final long FULL_PARK_NANOS = 1_000;

    /** The consumer thread's name. */
    static final String CONSUMER_THREAD = "jctools-mpsc-consumer";

    /** The completer thread's name ({@link Futures#ON_COMPLETER}). */
    static final String COMPLETER_THREAD = "jctools-mpsc-completer";

    private static final VarHandle PARKED;
    private static final VarHandle COMPLETER_PARKED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PARKED = lookup.findVarHandle(JctoolsMpscPipeline.class, "parked", boolean.class);
            COMPLETER_PARKED = lookup.findVarHandle(JctoolsMpscPipeline.class, "completerParked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CountingSink sink = new CountingSink();
    private final Futures futures;
    private final MpscArrayQueue<Object> queue = new MpscArrayQueue<>(BUFFER_ITEMS);
    private final ArrayList<Long> batch = new ArrayList<>(BATCH_ITEMS);
    /** The consumed batch's futures, when {@link #futures} is not {@link Futures#NONE}. */
    private final ArrayList<ItemFuture> batchFutures = new ArrayList<>(BATCH_ITEMS);
    /** Created once, so that the drain allocates nothing. */
    private final MessagePassingQueue.Consumer<Object> toBatch;
    private final Thread consumer;
    /** Set by the consumer before it checks the queue one last time and parks; cleared by the producer waking it. */
    private volatile boolean parked;
    private volatile boolean running = true;
    /** Consumed batches' futures, for the completer ({@link Futures#ON_COMPLETER}). */
    private final SpscArrayQueue<Object[]> completions = new SpscArrayQueue<>(BUFFER_ITEMS / BATCH_ITEMS);
    private final Thread completer;
    /** As {@link #parked}, for the completer; cleared by the consumer waking it. */
    private volatile boolean completerParked;
    private volatile boolean consuming = true;

    /** Without futures: the practical limit of a bounded hand-off. */
    JctoolsMpscPipeline() {
        this(Futures.NONE);
    }

    JctoolsMpscPipeline(Futures futures) {
        this.futures = futures;
        if (futures == Futures.NONE) {
            toBatch = item -> batch.add((Long) item);
        } else {
            toBatch = entry -> {
                ItemFuture future = (ItemFuture) entry;
                batch.add(future.item);
                batchFutures.add(future);
            };
        }
        if (futures == Futures.ON_COMPLETER) {
            completer = new Thread(this::complete, COMPLETER_THREAD);
            completer.setDaemon(true);
            completer.start();
        } else {
            completer = null;
        }
        consumer = new Thread(this::consume, CONSUMER_THREAD);
        consumer.setDaemon(true);
        consumer.start();
    }

    private void consume() {
        long ageNanos = TimeUnit.MILLISECONDS.toNanos(BATCH_AGE_MS);
        int idleSteps = 0;
        while (true) {
            if (queue.drain(toBatch, BATCH_ITEMS) == 0) {
                if (!running && queue.isEmpty()) {
                    return;
                }
                idleSteps = idle(idleSteps, 0);
                continue;
            }
            idleSteps = 0;
            long deadline = System.nanoTime() + ageNanos;
            while (batch.size() < BATCH_ITEMS) {
                if (queue.drain(toBatch, BATCH_ITEMS - batch.size()) > 0) {
                    idleSteps = 0;
                    continue;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !running) {
                    break;
                }
                idleSteps = idle(idleSteps, left);
            }
            sink.accept(batch);
            batch.clear();
            if (futures != Futures.NONE) {
                settle();
            }
        }
    }

    /** After the sink took a batch: completes its futures, or hands them to the completer. */
    private void settle() {
        if (futures == Futures.ON_CONSUMER) {
            for (int i = 0, n = batchFutures.size(); i < n; i++) {
                batchFutures.get(i).complete(null);
            }
        } else {
            Object[] done = batchFutures.toArray();
            while (!completions.offer(done)) {
                Thread.yield();
            }
            // An SPSC offer publishes with a release store, not a fence: without this one, the read of
            // completerParked below could pass the offer, and a completer that had just found the queue empty would
            // stay parked (the MPSC offer of a producer is a CAS, a full fence already).
            VarHandle.fullFence();
            if (completerParked && (boolean) COMPLETER_PARKED.getAndSet(this, false)) {
                LockSupport.unpark(completer);
            }
        }
        batchFutures.clear();
    }

    /** The completer's loop: completes each consumed batch's futures; waits as the consumer does. */
    private void complete() {
        int step = 0;
        while (true) {
            Object[] done = completions.poll();
            if (done != null) {
                step = 0;
                for (Object future : done) {
                    ((ItemFuture) future).complete(null);
                }
                continue;
            }
            if (!consuming && completions.isEmpty()) {
                return;
            }
            if (spinOrYield(step)) {
                step++;
                continue;
            }
            completerParked = true;
            if (completions.isEmpty() && consuming) {
                LockSupport.park(this);
            }
            completerParked = false;
        }
    }

    /**
     * The first steps of the backoff of a thread that found nothing to do: a spin for {@value #SPINS} steps, then a
     * yield for {@value #YIELDS} more.
     *
     * @return {@code false} once those steps are over and the thread should park
     */
    private static boolean spinOrYield(int step) {
        if (step < SPINS) {
            Thread.onSpinWait();
        } else if (step < SPINS + YIELDS) {
            Thread.yield();
        } else {
            return false;
        }
        return true;
    }

    /**
     * One step of the backoff after a drain that found nothing.
     *
     * @param step how many steps in a row found nothing
     * @param parkNanos the longest park, or 0 for an untimed park
     * @return the next step
     */
    private int idle(int step, long parkNanos) {
        if (spinOrYield(step)) {
            return step + 1;
        }
        if (!queue.isEmpty()) {
            // A producer took a slot (CAS on the producer index) but has not stored its item yet: on an
            // oversubscribed machine it may have been preempted in between. Give it the core.
            Thread.yield();
            return step;
        }
        parked = true;
        if (queue.isEmpty() && running) {
            if (parkNanos == 0) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, parkNanos);
            }
        }
        parked = false;
        return step;
    }

    @Override
    public Object put(Long item) {
        Object entry = futures == Futures.NONE ? item : new ItemFuture(item);
        for (int retry = 0; !queue.offer(entry); retry++) {
            if (retry < FULL_YIELDS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(FULL_PARK_NANOS);
            }
        }
        if (parked && (boolean) PARKED.getAndSet(this, false)) {
            LockSupport.unpark(consumer);
        }
        return futures == Futures.NONE ? null : entry;
    }

    @Override
    public CountingSink sink() {
        return sink;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        LockSupport.unpark(consumer);
        consumer.join(30_000);
        if (completer != null) {
            consuming = false;
            LockSupport.unpark(completer);
            completer.join(30_000);
        }
    }
}
