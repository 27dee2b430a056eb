package dev.batcher.durable;

import dev.batcher.kernel.Journal;
import dev.batcher.kernel.Kernel;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * The kernel's {@link Journal} on a {@link DurableLog}: appends encode the item and write it to the log (an item is
 * admitted only once the log has it: in the page cache, or on the device with fsync {@code always}), acks acknowledge
 * positions there, and {@link #replay} feeds what a previous run left back into the kernel, in order, before new
 * items. Internal: engines use it; it is not an API.
 *
 * @param <T> the item type
 */
public final class DurableJournal<T> implements Journal<T>, AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.batcher");

    private final String label;
    private final DurableLog log;
    private final ItemCodec<T> codec;
    private final AtomicLong undecodable = new AtomicLong();
    private volatile Thread replayThread;

    /**
     * Opens the log of a durable buffer.
     *
     * @param label how messages name the engine, such as {@code Dispatcher 'orders'}
     * @param buffer the settings
     * @throws DurableLogLockedException when another running instance uses the directory
     */
    public DurableJournal(String label, DurableBuffer<T> buffer) {
        this.label = Objects.requireNonNull(label, "label");
        this.codec = buffer.codec();
        // The log warns about a torn or corrupt tail it cuts off, and counts it in its stats.
        this.log = DurableLog.open(buffer.options());
    }

    @Override
    public long tryAppend(T item) {
        try {
            return log.append(codec.encode(item));
        }
        catch (DurableLogFullException ex) {
            return FULL;
        }
    }

    @Override
    public void ack(long[] positions, int count) {
        log.ack(positions, count);
    }

    /**
     * Replays what a previous run left, on a thread of its own, into {@code kernel}: new items wait until it is done
     * (at most {@code buffer.block-timeout}). A record that cannot be decoded is logged, counted and acknowledged.
     *
     * @param kernel the engine's kernel, created with this journal
     * @param sizer the item's size for the buffer's byte limit, or {@code null}
     * @param threadName the replay thread's name
     */
    public void replay(Kernel<T, ?> kernel, ToLongFunction<? super T> sizer, String threadName) {
        kernel.beginReplay();
        Thread thread = new Thread(() -> {
            try {
                log.replay((position, bytes) -> {
                    T item;
                    try {
                        item = codec.decode(bytes);
                    }
                    catch (RuntimeException ex) {
                        undecodable.incrementAndGet();
                        LOG.log(Level.ERROR, label + ": a record of the durable buffer (position " + position
                                + ", " + bytes.length + " bytes) cannot be decoded and is skipped", ex);
                        log.ack(position);
                        return;
                    }
                    kernel.admitReplayed(item, sizer != null ? sizer.applyAsLong(item) : 0, position);
                });
            }
            catch (IllegalStateException ex) {
                // Closed while replaying: what was not replayed stays in the log for the next start.
                LOG.log(Level.DEBUG, () -> label + ": replay ended by close: " + ex.getMessage());
            }
            catch (RuntimeException ex) {
                LOG.log(Level.ERROR, label + ": replaying the durable buffer failed; what was not replayed stays "
                        + "in it for the next start", ex);
            }
            finally {
                kernel.endReplay();
            }
        }, threadName);
        thread.setDaemon(true);
        replayThread = thread;
        thread.start();
    }

    /**
     * Waits for the replay to end (every record of the previous run admitted), at most {@code nanos}.
     *
     * @param nanos the longest wait
     * @return whether the replay ended
     */
    public boolean awaitReplay(long nanos) {
        Thread thread = replayThread;
        if (thread == null) {
            return true;
        }
        try {
            thread.join(Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(nanos)));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /** Records that could not be decoded at replay, skipped. */
    public long undecodableRecords() {
        return undecodable.get();
    }

    /** The log's counters now. */
    public DurableLogStats stats() {
        return log.stats();
    }

    /** Waits for the replay thread (ended by the engine's close) and closes the log; what it holds stays on disk. */
    @Override
    public void close() {
        Thread thread = replayThread;
        if (thread != null && thread != Thread.currentThread()) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                }
                catch (InterruptedException ex) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        log.close();
    }
}
