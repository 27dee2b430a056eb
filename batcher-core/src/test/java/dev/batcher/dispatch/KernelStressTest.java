package dev.batcher.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.Batch;
import dev.batcher.BufferFullException;
import dev.batcher.DropReason;
import dev.batcher.ErrorHandler;
import dev.batcher.FullBehavior;
import dev.batcher.ItemDroppedException;
import dev.batcher.Ordering;
import dev.batcher.PermanentSendException;
import dev.batcher.SendTimeoutException;
import dev.batcher.SubmitInterruptedException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole kernel invariant under the conditions that broke it (issue 7): producers racing a sink that fails,
 * hangs interruptibly, or hangs ignoring interrupts past {@code send-timeout} and then returns late; futures with
 * slow continuations; drop handlers that are slow now and then; a send gate that throws now and then; and
 * the end of the run by {@code close()} after the producers, {@code close()} racing them, or {@code shutdownNow()}
 * racing {@code close()}. Each seed picks one configuration and one way to stop.
 *
 * <p>What must hold: every accepted item ends sent xor dropped, exactly once; a future agrees with the drop
 * handler; {@code close()} returning true means every future is done, every drop handler call has returned and the
 * drained callback ran; every stats snapshot balances and the final one is drained and empty; never more threads
 * inside the sink than {@code max-concurrent-sends}; drop handlers run one at a time on the callback thread.
 */
class KernelStressTest {

    private static final int PRODUCERS = 3;
    private static final int ITEMS_PER_PRODUCER = 3_000;
    private static final Duration SEND_TIMEOUT = Duration.ofMillis(40);
    /** How long a sink that ignores interrupts stays inside: well past the send timeout. */
    private static final Duration UNINTERRUPTIBLE_HANG = SEND_TIMEOUT.multipliedBy(3);
    private static final Duration LIVENESS = Duration.ofSeconds(30);
    private static final Duration PACE = Duration.ofMillis(1);

    @RegisterExtension
    final TestDispatchers dispatchers = new TestDispatchers();

    /** How a run ends. */
    enum Stop {
        CLOSE_AFTER_PRODUCERS, CLOSE_RACING_PRODUCERS, SHUTDOWN_NOW_RACING_CLOSE
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42})
    void everyAcceptedItemEndsSentXorDroppedOnceUnderHangsSlowCallbacksThrowingGatesAndStopRaces(long seed)
            throws Exception {
        Random random = new Random(seed);
        Stop stop = Stop.values()[(int) (seed % Stop.values().length)];
        Ordering ordering = Ordering.values()[random.nextInt(Ordering.values().length)];
        int maxSends = ordering == Ordering.FIFO ? 1 : 1 + random.nextInt(4);
        FullBehavior full = FullBehavior.values()[random.nextInt(FullBehavior.values().length)];
        int maxAttempts = random.nextInt(4) == 0 ? DispatcherConfig.UNLIMITED : 1 + random.nextInt(4);
        int batchItems = 2 + random.nextInt(12);
        boolean throwingGate = random.nextBoolean();
        String name = "kernel-stress-" + seed;
        Observed seen = new Observed();

        DispatcherConfig.Builder<Long> options = DispatcherConfig.<Long>builder()
                .maxBatchItems(batchItems)
                .maxBatchAge(Duration.ofMillis(1 + random.nextInt(5)))
                .maxConcurrentSends(maxSends)
                .ordering(ordering)
                .keyExtractor(id -> id % 7)
                .bufferMaxItems(Math.max(batchItems, 50 + random.nextInt(400)))
                .fullBehavior(full)
                .blockTimeout(Duration.ofMillis(20))
                .retry(maxAttempts, Duration.ofMillis(1), 2.0, Duration.ofMillis(8))
                .sendTimeout(SEND_TIMEOUT)
                .errorHandler(seen::shouldRetry)
                .dropHandler(seen::onDrop)
                .drainedCallback(seen.drainedCalls::incrementAndGet);
        if (throwingGate) {
            options.sendGate(seen::gate);
        }
        Dispatcher<Long> dispatcher = dispatchers.create(name, options.build(), seen::send);
        String description = "seed " + seed + ": " + stop + ", " + ordering + ", max-concurrent-sends " + maxSends
                + ", " + full + ", max-attempts " + maxAttempts + ", batch " + batchItems
                + (throwingGate ? ", throwing gate" : "");

        AtomicBoolean monitoring = new AtomicBoolean(true);
        Thread monitor = new Thread(() -> {
            while (monitoring.get()) {
                DispatcherStats stats = dispatcher.stats();
                if (!stats.isBalanced()) {
                    seen.violations.add("unbalanced snapshot: " + stats);
                }
                LockSupport.parkNanos(100_000);
            }
        }, "stats-monitor");
        monitor.start();

        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            long base = (long) p * ITEMS_PER_PRODUCER;
            Thread producer = new Thread(() -> {
                for (long id = base; id < base + ITEMS_PER_PRODUCER; id++) {
                    seen.produce(dispatcher, id);
                    if (id % 10 == 0) {
                        // Paced, so that the sink's outcomes (not only a full buffer) decide most items' fate.
                        LockSupport.parkNanos(PACE.toNanos());
                    }
                }
            }, "producer-" + p);
            producers.add(producer);
            producer.start();
        }

        // Producers are interrupted now and then: one blocked on a full buffer must give up with its own outcome
        // (SubmitInterruptedException, dropped as INTERRUPTED, flag kept), whatever it was waiting on.
        AtomicBoolean interrupting = new AtomicBoolean(true);
        Random interrupts = new Random(seed * 31);
        Thread interrupter = new Thread(() -> {
            while (interrupting.get()) {
                producers.get(interrupts.nextInt(producers.size())).interrupt();
                LockSupport.parkNanos(Duration.ofMillis(2 + interrupts.nextInt(8)).toNanos());
            }
        }, "interrupter");
        interrupter.start();

        long total = (long) PRODUCERS * ITEMS_PER_PRODUCER;
        long stopAt = total / 4 + random.nextInt((int) (total / 4));
        boolean closeReturnedTrue;
        switch (stop) {
            case CLOSE_AFTER_PRODUCERS -> {
                for (Thread producer : producers) {
                    producer.join();
                }
                closeReturnedTrue = seen.closeAndCheck(dispatcher);
                assertThat(closeReturnedTrue).as("drained in time (%s): %s", description, dispatcher.stats()).isTrue();
            }
            case CLOSE_RACING_PRODUCERS -> {
                awaitSubmitted(dispatcher, stopAt);
                closeReturnedTrue = seen.closeAndCheck(dispatcher);
                assertThat(closeReturnedTrue).as("drained in time (%s): %s", description, dispatcher.stats()).isTrue();
            }
            default -> {
                awaitSubmitted(dispatcher, stopAt);
                int settledBeforeShutdown = random.nextInt(50);
                CompletableFuture<Boolean> closing = new CompletableFuture<>();
                Thread closer = new Thread(() -> closing.complete(seen.closeAndCheck(dispatcher)), "closer");
                Thread stopper = new Thread(() -> {
                    long target = settledItems(dispatcher.stats()) + settledBeforeShutdown;
                    await().atMost(LIVENESS).pollInterval(Duration.ofMillis(1)).until(() -> dispatcher.isDrained()
                            || settledItems(dispatcher.stats()) >= target);
                    dispatcher.shutdownNow();
                }, "stopper");
                closer.start();
                stopper.start();
                closer.join();
                stopper.join();
                closeReturnedTrue = closing.get();
            }
        }
        for (Thread producer : producers) {
            producer.join();
        }
        interrupting.set(false);
        interrupter.join();
        if (!closeReturnedTrue) {
            await().atMost(LIVENESS).until(() -> dispatcher.isDrained() && seen.settled());
        }
        DispatcherStats stats = dispatcher.stats();
        monitoring.set(false);
        monitor.join();

        assertThat(seen.violations).as(description).isEmpty();
        seen.assertEveryItemSettledOnce(stats, description);
        if (ordering != Ordering.NONE) {
            seen.assertSentItemsReachedTheSinkInOrder(ordering, description);
        }
        assertThat(seen.sink.most()).as("threads inside the sink at once (%s)", description)
                .isLessThanOrEqualTo(maxSends);
        assertThat(seen.handlersAtOnce.most()).as("drop handler calls at once (%s)", description)
                .isLessThanOrEqualTo(1);
        assertThat(seen.handlerThreads).as("threads that ran drop handlers (%s)", description)
                .isSubsetOf(Set.of("batcher-" + name + "-callbacks"));
        assertThat(seen.drainedCalls).as("drained callback calls (%s)", description).hasValue(1);
    }

    private static long settledItems(DispatcherStats stats) {
        return stats.sent() + stats.dropped();
    }

    private static void awaitSubmitted(Dispatcher<Long> dispatcher, long submitted) {
        await().atMost(LIVENESS).pollInterval(Duration.ofMillis(1))
                .until(() -> dispatcher.stats().submitted() >= submitted);
    }

    /** Everything the run observed through the public API and the user code it hands to the dispatcher. */
    private static final class Observed {

        final Waits.Occupancy sink = new Waits.Occupancy();
        final Waits.Occupancy handlersAtOnce = new Waits.Occupancy();
        final Set<String> handlerThreads = ConcurrentHashMap.newKeySet();
        final AtomicInteger drainedCalls = new AtomicInteger();
        final List<String> violations = new CopyOnWriteArrayList<>();

        /** Ids in batches the sink returned from normally, with how often (a timed-out attempt may return late). */
        final Map<Long, Integer> delivered = new ConcurrentHashMap<>();
        /** Ids in batches that had an attempt time out: the only ones the sink may see succeed twice. */
        final Set<Long> timedOut = ConcurrentHashMap.newKeySet();
        /** When each id first reached the sink, as a global sequence number. */
        final Map<Long, Long> firstDelivery = new ConcurrentHashMap<>();
        private final AtomicLong deliveries = new AtomicLong();
        final Map<Long, DropReason> dropped = new ConcurrentHashMap<>();
        final AtomicLong droppedTwice = new AtomicLong();

        final Map<Long, CompletableFuture<Void>> futures = new ConcurrentHashMap<>();
        final Set<Long> accepted = ConcurrentHashMap.newKeySet();
        final Set<Long> refusedFull = ConcurrentHashMap.newKeySet();
        final Set<Long> refusedClosed = ConcurrentHashMap.newKeySet();
        final Set<Long> refusedInterrupted = ConcurrentHashMap.newKeySet();

        private final CountDownLatch never = new CountDownLatch(1);

        void produce(Dispatcher<Long> dispatcher, long id) {
            try {
                if (id % 4 == 3) {
                    dispatcher.enqueue(id);
                }
                else {
                    CompletableFuture<Void> future = dispatcher.submit(id);
                    futures.put(id, future);
                    if (id % 400 == 0) {
                        future.thenRun(() -> LockSupport.parkNanos(Duration.ofMillis(10).toNanos())); // slow
                    }
                }
                accepted.add(id);
            }
            catch (BufferFullException ex) {
                refusedFull.add(id);
            }
            catch (SubmitInterruptedException ex) {
                refusedInterrupted.add(id);
                if (!Thread.interrupted()) {
                    violations.add("item " + id + " refused as interrupted, but the interrupt flag was cleared");
                }
            }
            catch (IllegalStateException ex) {
                refusedClosed.add(id);
            }
        }

        void send(Batch<Long> batch) throws Exception {
            sink.enter();
            try {
                int roll = ThreadLocalRandom.current().nextInt(1_000);
                if (roll < 80) {
                    throw new IOException("transient");
                }
                if (roll < 100) {
                    throw new PermanentSendException("permanent");
                }
                if (roll < 110) {
                    Thread.sleep(1_000); // past send-timeout, ends when interrupted
                }
                else if (roll < 120) {
                    Waits.ignoringInterrupts(never, UNINTERRUPTIBLE_HANG); // like JDBC: past send-timeout
                    if (roll < 115) {
                        throw new IOException("late failure");
                    }
                    // else a late return that looks like success
                }
                for (Long id : batch.items()) {
                    delivered.merge(id, 1, Integer::sum);
                    firstDelivery.putIfAbsent(id, deliveries.incrementAndGet());
                }
            }
            finally {
                sink.leave();
            }
        }

        long gate(long cost) {
            if (ThreadLocalRandom.current().nextInt(100) < 2) {
                throw new IllegalStateException("capacity service unreachable");
            }
            return 0;
        }

        boolean shouldRetry(Batch<Long> batch, Throwable error) {
            if (error instanceof SendTimeoutException) {
                timedOut.addAll(batch.items());
            }
            return !ErrorHandler.isPermanent(error);
        }

        void onDrop(List<Long> items, DropReason reason, Throwable cause) {
            handlerThreads.add(Thread.currentThread().getName());
            handlersAtOnce.enter();
            try {
                for (Long id : items) {
                    if (dropped.put(id, reason) != null) {
                        droppedTwice.incrementAndGet();
                    }
                }
                if (ThreadLocalRandom.current().nextInt(50) == 0) {
                    LockSupport.parkNanos(Duration.ofMillis(2).toNanos()); // a slow handler now and then
                }
            }
            finally {
                handlersAtOnce.leave();
            }
        }

        /** Closes; when close() says it drained, checks at once that everything was settled by then. */
        boolean closeAndCheck(Dispatcher<Long> dispatcher) {
            boolean drained = dispatcher.close(Duration.ofSeconds(20));
            if (drained) {
                long notDone = futures.values().stream().filter(future -> !future.isDone()).count();
                if (notDone > 0) {
                    violations.add(notDone + " futures not done when close() returned true");
                }
                if (handlersAtOnce.now() != 0) {
                    violations.add("a drop handler was still running when close() returned true");
                }
                if (drainedCalls.get() != 1) {
                    violations.add("the drained callback had run " + drainedCalls.get()
                            + " times when close() returned true");
                }
            }
            return drained;
        }

        boolean settled() {
            return handlersAtOnce.now() == 0 && drainedCalls.get() == 1
                    && futures.values().stream().allMatch(CompletableFuture::isDone);
        }

        void assertEveryItemSettledOnce(DispatcherStats stats, String description) throws InterruptedException {
            assertThat(stats.drained()).as("drained (%s): %s", description, stats).isTrue();
            assertThat(stats.bufferedItems() + stats.inFlightItems()).as("left (%s): %s", description, stats).isZero();
            assertThat(stats.isBalanced()).as("balanced (%s): %s", description, stats).isTrue();
            assertThat(stats.submitted()).as("submitted = accepted + refused as full or interrupted (%s)", description)
                    .isEqualTo(accepted.size() + refusedFull.size() + refusedInterrupted.size());
            assertThat(droppedTwice).as("items dropped twice (%s)", description).hasValue(0);
            assertThat(stats.dropped()).as("dropped (%s)", description).isEqualTo(dropped.size());
            assertThat(stats.droppedByReason().values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(stats.dropped());
            long sent = accepted.stream().filter(id -> !dropped.containsKey(id)).count();
            assertThat(stats.sent()).as("sent (%s)", description).isEqualTo(sent);

            for (Long id : refusedFull) {
                assertThat(dropped.get(id)).as("item %d refused as full", id).isEqualTo(DropReason.BUFFER_FULL);
            }
            for (Long id : refusedInterrupted) {
                assertThat(dropped.get(id)).as("item %d refused as interrupted", id).isEqualTo(DropReason.INTERRUPTED);
            }
            for (Long id : refusedClosed) {
                assertThat(dropped).as("item %d refused after close", id).doesNotContainKey(id);
                assertThat(delivered).as("item %d refused after close", id).doesNotContainKey(id);
            }
            Set<DropReason> mayHaveReachedTheSink = EnumSet.of(DropReason.CANCELLED, DropReason.SHUTDOWN,
                    DropReason.OLDEST_DROPPED);
            for (Long id : accepted) {
                DropReason reason = dropped.get(id);
                CompletableFuture<Void> future = futures.get(id);
                if (reason == null) {
                    assertThat(delivered).as("sent item %d reached the sink (%s)", id, description).containsKey(id);
                    if (future != null) {
                        assertThat(future).as("future of sent item %d", id).isCompleted();
                    }
                }
                else {
                    if (future != null) {
                        assertThat(reasonOf(future)).as("future of item %d dropped as %s", id, reason)
                                .isEqualTo(reason);
                    }
                    if (delivered.containsKey(id)) {
                        assertThat(timedOut.contains(id) || mayHaveReachedTheSink.contains(reason))
                                .as("item %d dropped as %s reached the sink without an abandoned attempt", id, reason)
                                .isTrue();
                    }
                }
                Integer deliveries = delivered.get(id);
                if (deliveries != null && deliveries > 1) {
                    assertThat(timedOut).as("item %d reached the sink %d times without a timed-out attempt (%s)",
                            id, deliveries, description).contains(id);
                }
            }
        }

        /**
         * FIFO and per-key order: the items of one producer (ids ascending) that one lane holds and that ended sent
         * first reached the sink in that order, whatever hung, timed out, returned late or was retried meanwhile.
         */
        void assertSentItemsReachedTheSinkInOrder(Ordering ordering, String description) {
            Map<String, Long> lastByLane = new HashMap<>();
            accepted.stream().filter(id -> !dropped.containsKey(id)).sorted().forEach(id -> {
                String lane = (id / ITEMS_PER_PRODUCER) + "/" + (ordering == Ordering.PER_KEY ? id % 7 : 0);
                long first = firstDelivery.get(id);
                Long previous = lastByLane.put(lane, first);
                assertThat(previous == null || previous < first)
                        .as("item %d of producer/key %s reached the sink before an earlier one (%s)", id, lane,
                                description)
                        .isTrue();
            });
        }

        private static DropReason reasonOf(CompletableFuture<Void> future) throws InterruptedException {
            try {
                future.get();
                return null;
            }
            catch (ExecutionException ex) {
                return ex.getCause() instanceof ItemDroppedException dropped ? dropped.getReason() : null;
            }
        }
    }
}
