package dev.batcher.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;

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
 */
final class JctoolsMpscPipeline implements Pipeline {

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

    private static final VarHandle PARKED;

    static {
        try {
            PARKED = MethodHandles.lookup().findVarHandle(JctoolsMpscPipeline.class, "parked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CountingSink sink = new CountingSink();
    private final MpscArrayQueue<Long> queue = new MpscArrayQueue<>(BUFFER_ITEMS);
    private final ArrayList<Long> batch = new ArrayList<>(BATCH_ITEMS);
    /** Created once, so that the drain allocates nothing. */
    private final MessagePassingQueue.Consumer<Long> toBatch = batch::add;
    private final Thread consumer;
    /** Set by the consumer before it checks the queue one last time and parks; cleared by the producer waking it. */
    private volatile boolean parked;
    private volatile boolean running = true;

    JctoolsMpscPipeline() {
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
        }
    }

    /**
     * One step of the backoff after a drain that found nothing.
     *
     * @param step how many steps in a row found nothing
     * @param parkNanos the longest park, or 0 for an untimed park
     * @return the next step
     */
    private int idle(int step, long parkNanos) {
        if (step < SPINS) {
            Thread.onSpinWait();
        } else if (step < SPINS + YIELDS) {
            Thread.yield();
        } else {
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
        return step + 1;
    }

    @Override
    public Object put(Long item) {
        for (int retry = 0; !queue.offer(item); retry++) {
            if (retry < FULL_YIELDS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(FULL_PARK_NANOS);
            }
        }
        if (parked && (boolean) PARKED.getAndSet(this, false)) {
            LockSupport.unpark(consumer);
        }
        return null;
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
    }
}
