package dev.batcher.dispatch;

import dev.batcher.Batch;
import dev.batcher.BufferFullException;
import dev.batcher.DropHandler;
import dev.batcher.DropReason;
import dev.batcher.ItemDroppedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records everything a dispatcher tells its user about each item, from every thread, and checks the whole
 * invariant of the kernel against it:
 *
 * <ul>
 *   <li>every accepted item ends sent xor dropped, exactly once: its future completes once, the drop handler hears
 *       of it at most once, and the two agree (a dropped item's future fails with the reason the handler got);</li>
 *   <li>an item reported sent was returned by the sink from a live attempt: an attempt the dispatcher abandoned
 *       (its thread interrupted) settles nothing when it returns late;</li>
 *   <li>{@code close()} returning {@code true} means every future is complete, every drop handler call has returned
 *       and the drained callback has run;</li>
 *   <li>the sink never runs more than {@code max-concurrent-sends} calls at once, and never starts a call, with its
 *       interrupt flag clear, for an attempt that is stale: a repeat of an attempt it already saw, an item already
 *       settled, or anything after {@code close()} returned {@code true};</li>
 *   <li>the stats balance: submitted = sent + dropped, nothing left buffered or in flight, and the counts match
 *       what the futures and the drop handler said;</li>
 *   <li>an item refused with {@code IllegalStateException} (closed) is not counted and never reaches the sink;</li>
 *   <li>no future completes and no drop handler runs on the timer thread.</li>
 * </ul>
 *
 * Items are {@code Integer}s; each scenario submits distinct ones.
 */
final class OutcomeLedger {

    /** What the sink does with one call, after the ledger recorded it. */
    @FunctionalInterface
    interface Sink {
        void send(Batch<Integer> batch) throws Exception;
    }

    private final int maxConcurrentSends;
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());

    private final Map<Integer, CompletableFuture<Void>> accepted = new ConcurrentHashMap<>();
    private final Set<Integer> refusedClosed = ConcurrentHashMap.newKeySet();
    private final Set<Integer> refusedFull = ConcurrentHashMap.newKeySet();
    private final Map<Integer, List<DropReason>> drops = new ConcurrentHashMap<>();
    private final AtomicInteger dropCallsRunning = new AtomicInteger();
    private final AtomicInteger drainedCallbacks = new AtomicInteger();

    private final AtomicInteger inSink = new AtomicInteger();
    private final Set<String> attemptsSeen = ConcurrentHashMap.newKeySet();
    private final Set<Integer> reachedSink = ConcurrentHashMap.newKeySet();
    private final Set<Integer> sentByLiveAttempt = ConcurrentHashMap.newKeySet();
    private volatile boolean closedTrue;

    OutcomeLedger(int maxConcurrentSends) {
        this.maxConcurrentSends = maxConcurrentSends;
    }

    // ---------------------------------------------------------------- what the dispatcher is given

    /** The drop handler: records each item's drop; yields in the middle so that a caller can overtake it. */
    DropHandler<Integer> dropHandler() {
        return (items, reason, cause) -> {
            dropCallsRunning.incrementAndGet();
            try {
                notOnTimerThread("the drop handler for " + items);
                for (Integer item : items) {
                    drops.computeIfAbsent(item, k -> Collections.synchronizedList(new ArrayList<>())).add(reason);
                }
                Thread.yield();
            }
            finally {
                dropCallsRunning.decrementAndGet();
            }
        };
    }

    /** The drained callback. */
    Runnable drainedCallback() {
        return drainedCallbacks::incrementAndGet;
    }

    /** Wraps the scenario's sink behaviour with the checks made at every call. */
    BatchSender<Integer> sink(Sink behaviour) {
        return batch -> {
            int running = inSink.incrementAndGet();
            try {
                if (running > maxConcurrentSends) {
                    violate(running + " calls inside the sink at once with max-concurrent-sends="
                            + maxConcurrentSends + " (" + describe(batch) + ")");
                }
                // What was already decided is read before the interrupt flag: a dispatcher interrupts an attempt it
                // abandons before it settles the batch, so a stale call that was not told is one with the flag clear.
                boolean afterClose = closedTrue;
                List<String> stale = new ArrayList<>();
                for (Integer item : batch.items()) {
                    reachedSink.add(item);
                    if (!attemptsSeen.add(item + "@" + batch.attempt())) {
                        stale.add("item " + item + " reached the sink twice with the same attempt");
                    }
                    if (isSettled(item)) {
                        stale.add("item " + item + " reached the sink after it was settled");
                    }
                }
                if (afterClose) {
                    stale.add("the sink was called after close() returned true");
                }
                if (!Thread.currentThread().isInterrupted()) {
                    stale.forEach(problem -> violate(problem + " (" + describe(batch) + ")"));
                }
                behaviour.send(batch);
                if (!Thread.currentThread().isInterrupted()) {
                    sentByLiveAttempt.addAll(batch.items());
                }
            }
            finally {
                inSink.decrementAndGet();
            }
        };
    }

    // ---------------------------------------------------------------- what the scenario does

    /** Submits an item and records what the dispatcher answered. */
    void submit(Dispatcher<Integer> dispatcher, int item) {
        try {
            CompletableFuture<Void> future = dispatcher.submit(item);
            accepted.put(item, future);
            future.whenComplete((ok, failed) -> notOnTimerThread("the future of item " + item));
        }
        catch (BufferFullException ex) {
            refusedFull.add(item);
        }
        catch (IllegalStateException ex) {
            refusedClosed.add(item);
        }
        catch (RuntimeException ex) {
            violate("submit(" + item + ") threw " + ex);
        }
    }

    /** The future of an accepted item, or {@code null}. */
    CompletableFuture<Void> future(int item) {
        return accepted.get(item);
    }

    /**
     * Closes the dispatcher and, if {@code close} returned {@code true}, checks at once that everything is settled.
     *
     * @return what {@code close} returned
     */
    boolean close(Dispatcher<Integer> dispatcher, Duration timeout) {
        boolean drained = dispatcher.close(timeout);
        if (drained) {
            closedTrue = true;
            checkSettledAtClose();
        }
        return drained;
    }

    private void checkSettledAtClose() {
        for (Map.Entry<Integer, CompletableFuture<Void>> entry : new TreeMap<>(accepted).entrySet()) {
            if (!entry.getValue().isDone()) {
                violate("close() returned true while the future of item " + entry.getKey() + " was not complete");
            }
        }
        if (dropCallsRunning.get() != 0) {
            violate("close() returned true while a drop handler call was still running");
        }
        if (drainedCallbacks.get() != 1) {
            violate("close() returned true after " + drainedCallbacks.get() + " drained callbacks (expected 1)");
        }
    }

    // ---------------------------------------------------------------- the final verdict

    /**
     * Checks the end state; call it after every thread of the scenario was joined and the dispatcher was closed.
     *
     * @throws AssertionError listing every violation seen during the run and at the end
     */
    void verify(Dispatcher<Integer> dispatcher) {
        long sent = 0;
        for (Map.Entry<Integer, CompletableFuture<Void>> entry : new TreeMap<>(accepted).entrySet()) {
            int item = entry.getKey();
            CompletableFuture<Void> future = entry.getValue();
            List<DropReason> reasons = drops.getOrDefault(item, List.of());
            if (reasons.size() > 1) {
                violate("item " + item + " was reported to the drop handler " + reasons.size() + " times: " + reasons);
            }
            if (!future.isDone()) {
                violate("item " + item + " was accepted but its future was not complete at the end (drops: "
                        + reasons + ")");
                continue;
            }
            DropReason failedWith = droppedReason(future);
            if (failedWith == null) {
                sent++;
                if (!reasons.isEmpty()) {
                    violate("item " + item + " was reported sent by its future and dropped by the handler ("
                            + reasons + ")");
                }
                if (!sentByLiveAttempt.contains(item)) {
                    violate("item " + item + " was reported sent, but no live attempt returned it: the late return "
                            + "of an abandoned attempt settled it");
                }
            }
            else if (!reasons.equals(List.of(failedWith))) {
                violate("item " + item + "'s future failed with " + failedWith + " but the drop handler was told "
                        + reasons);
            }
        }
        for (int item : refusedFull) {
            if (!drops.getOrDefault(item, List.of()).equals(List.of(DropReason.BUFFER_FULL))) {
                violate("item " + item + " was refused as buffer-full but the drop handler was told "
                        + drops.get(item));
            }
        }
        for (int item : refusedClosed) {
            if (drops.containsKey(item) || reachedSink.contains(item)) {
                violate("item " + item + " was refused (closed) but still reached the "
                        + (drops.containsKey(item) ? "drop handler" : "sink"));
            }
        }
        long droppedItems = drops.values().stream().mapToLong(List::size).sum();
        DispatcherStats stats = dispatcher.stats();
        long counted = accepted.size() + refusedFull.size();
        if (stats.drained() && (stats.bufferedItems() != 0 || stats.inFlightItems() != 0)) {
            violate("stats say drained with items left: " + stats.bufferedItems() + " buffered, "
                    + stats.inFlightItems() + " in flight");
        }
        if (stats.submitted() != counted || stats.sent() != sent || stats.dropped() != droppedItems
                || stats.bufferedItems() != 0 || stats.inFlightItems() != 0 || !stats.isBalanced()) {
            violate("the stats do not match the outcomes: expected " + counted + " submitted, " + sent + " sent, "
                    + droppedItems + " dropped, nothing left (" + stats + ")");
        }
        if (!violations.isEmpty()) {
            throw new AssertionError("Invariant violated:\n  " + String.join("\n  ", violations));
        }
    }

    /** User code must not run on the timer thread, where one slow callback would delay every timer. */
    private void notOnTimerThread(String what) {
        if (Thread.currentThread().getName().equals(ModelClock.TIMER_THREAD)) {
            violate(what + " ran on the timer thread");
        }
    }

    private static String describe(Batch<Integer> batch) {
        return "items " + batch.items() + ", attempt " + batch.attempt() + ", on " + Thread.currentThread().getName()
                + (Thread.currentThread().isInterrupted() ? ", interrupted" : ", not interrupted");
    }

    private boolean isSettled(int item) {
        CompletableFuture<Void> future = accepted.get(item);
        return (future != null && future.isDone()) || drops.containsKey(item);
    }

    private DropReason droppedReason(CompletableFuture<Void> future) {
        try {
            future.getNow(null);
            return null;
        }
        catch (CompletionException ex) {
            if (ex.getCause() instanceof ItemDroppedException dropped) {
                return dropped.getReason();
            }
            violate("a future failed with " + ex.getCause() + " instead of ItemDroppedException");
            return DropReason.CANCELLED;
        }
        catch (RuntimeException ex) {
            violate("a future ended with " + ex);
            return DropReason.CANCELLED;
        }
    }

    private void violate(String violation) {
        violations.add(violation);
    }
}
