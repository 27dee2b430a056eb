package dev.batcher.dispatch;

import dev.batcher.time.ManualScheduler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import dev.batcher.Batch;
import dev.batcher.DropReason;
import dev.batcher.ErrorHandler;
import dev.batcher.FullBehavior;
import dev.batcher.ItemDroppedException;
import dev.batcher.Ordering;
import dev.batcher.PermanentSendException;
import dev.batcher.SendTimeoutException;
import dev.batcher.limit.SendGate;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One test per defect of issue 7 ("Defects" 1 to 10), each forcing the interleaving that exposed it with latches
 * and asserting what a user of the public API observes. Timeouts here are liveness bounds, never speed claims.
 * Tests that need API added by the kernel rewrite live in {@link KernelDefectsNewApiTest}.
 */
class KernelDefectsTest {

    /** How long a liveness wait may take before the test fails: generous for a loaded 2-core machine. */
    private static final Duration LIVENESS = Duration.ofSeconds(10);

    @RegisterExtension
    final TestDispatchers dispatchers = new TestDispatchers();

    private final ManualScheduler clock = dispatchers.clock;
    private final List<CountDownLatch> latches = new CopyOnWriteArrayList<>();
    private final AtomicReference<Dispatcher<Integer>> self = new AtomicReference<>();

    /** A latch the test opens; every one still closed is opened after the test so no user code stays parked. */
    private CountDownLatch latch() {
        CountDownLatch latch = new CountDownLatch(1);
        latches.add(latch);
        return latch;
    }

    @AfterEach
    void openEveryLatch() {
        latches.forEach(CountDownLatch::countDown);
    }

    private Dispatcher<Integer> create(String name, DispatcherConfig.Builder<Integer> options, BatchSender<Integer> sink) {
        Dispatcher<Integer> dispatcher = dispatchers.create(name, options.build(), sink);
        self.set(dispatcher);
        return dispatcher;
    }

    private static DispatcherConfig.Builder<Integer> options() {
        return DispatcherConfig.<Integer>builder();
    }

    private static void assertDropped(CompletableFuture<Void> future, DropReason reason) {
        assertThat(future).failsWithin(LIVENESS).withThrowableThat().havingCause()
                .isInstanceOfSatisfying(ItemDroppedException.class, e -> assertThat(e.getReason()).isEqualTo(reason));
    }

    private static String threadName() {
        return Thread.currentThread().getName();
    }

    // ------------------------------------------------------------------ 1. drain announced early

    @Test
    void closeReturnsTrueOnlyAfterTheDropHandlerOfABatchFailingAtTheSameTimeReturnedAndItsFutureIsDone()
            throws Exception {
        CountDownLatch dropStarted = latch();
        CountDownLatch closeReturned = latch();
        AtomicBoolean dropHandlerReturned = new AtomicBoolean();
        Dispatcher<Integer> dispatcher = create("drain-race", options().maxBatchItems(1).maxConcurrentSends(2)
                .dropHandler((items, reason, cause) -> {
                    dropStarted.countDown();
                    // A slow drop handler: it takes a second, or returns as soon as close() has returned.
                    Waits.quietly(closeReturned, Duration.ofSeconds(1));
                    dropHandlerReturned.set(true);
                }), batch -> {
                    if (batch.items().get(0) == 0) {
                        throw new PermanentSendException("item 0 is refused for good");
                    }
                    // Item 1 succeeds while item 0's drop is being handled and close() is waiting.
                    Waits.quietly(dropStarted, LIVENESS);
                    await().pollInterval(Duration.ofMillis(1)).atMost(LIVENESS).until(self.get()::isClosed);
                });
        CompletableFuture<Void> item0 = dispatcher.submit(0);
        CompletableFuture<Void> item1 = dispatcher.submit(1);
        assertThat(dropStarted.await(LIVENESS.toSeconds(), TimeUnit.SECONDS)).isTrue();

        boolean drained = dispatcher.close(Duration.ofSeconds(30));
        boolean handlerHadReturned = dropHandlerReturned.get();
        boolean item0WasDone = item0.isDone();
        closeReturned.countDown();

        assertThat(drained).isTrue();
        assertThat(handlerHadReturned).as("the drop handler had returned when close() returned true").isTrue();
        assertThat(item0WasDone).as("item 0's future was done when close() returned true").isTrue();
        assertDropped(item0, DropReason.NOT_RETRYABLE);
        assertThat(item1).isCompleted();
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.sent()).isEqualTo(1);
        assertThat(stats.dropped(DropReason.NOT_RETRYABLE)).isEqualTo(1);
        assertThat(stats.isBalanced()).isTrue();
    }

    // ------------------------------------------------------------------ 2. a blocked producer appends into a stopped buffer

    @Test
    void aProducerBlockedOnAFullBufferIsRefusedWhenShutdownNowStopsTheDispatcherAndItsItemIsNotCounted() {
        CountDownLatch release = latch();
        Dispatcher<Integer> dispatcher = create("stopped", options().maxBatchItems(1).bufferMaxItems(2)
                .maxConcurrentSends(1).fullBehavior(FullBehavior.BLOCK).blockTimeout(Duration.ofMinutes(1)),
                batch -> release.await());
        CompletableFuture<Void> item0 = dispatcher.submit(0);
        CompletableFuture<Void> item1 = dispatcher.submit(1);
        await().until(() -> dispatcher.stats().inFlightBatches() == 1); // item 0 in flight, item 1 buffered: full
        CompletableFuture<CompletableFuture<Void>> producer = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                producer.complete(dispatcher.submit(2));
            }
            catch (Throwable ex) {
                producer.completeExceptionally(ex);
            }
        }, "blocked-producer");
        thread.start();
        await().until(() -> thread.getState() == Thread.State.WAITING
                || thread.getState() == Thread.State.TIMED_WAITING);

        dispatcher.shutdownNow();

        assertThat(producer).failsWithin(LIVENESS).withThrowableThat().havingCause()
                .isInstanceOf(IllegalStateException.class).withMessageContaining("'stopped'")
                .withMessageContaining("closed");
        assertDropped(item0, DropReason.CANCELLED);
        assertDropped(item1, DropReason.CANCELLED);
        await().until(dispatcher::isDrained);
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.submitted()).as("the refused item is not counted").isEqualTo(2);
        assertThat(stats.dropped(DropReason.CANCELLED)).isEqualTo(2);
        assertThat(stats.bufferedItems()).isZero();
        assertThat(stats.inFlightItems()).isZero();
        assertThat(stats.isBalanced()).isTrue();
    }

    // ------------------------------------------------------------------ 3. a throwing SendGate kills the sender

    @Test
    void aSendGateThatThrowsFailsTheAttemptWhichIsRetriedAndTheOneSenderThreadKeepsServing() {
        RuntimeException gateDown = new IllegalStateException("capacity service unreachable");
        AtomicInteger gateCalls = new AtomicInteger();
        List<String> gateThreads = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<String> sendThreads = new CopyOnWriteArrayList<>();
        SendGate gate = cost -> {
            gateThreads.add(threadName());
            if (gateCalls.incrementAndGet() == 1) {
                throw gateDown;
            }
            return 0;
        };
        Dispatcher<Integer> dispatcher = create("gate", options().maxBatchItems(1).maxConcurrentSends(1)
                .sendGate(gate).retry(DispatcherConfig.UNLIMITED, Duration.ofMillis(1), 1.0, Duration.ofMillis(1))
                .errorHandler((batch, error) -> {
                    errors.add(error);
                    return true;
                }), batch -> sendThreads.add(threadName()));

        CompletableFuture<Void> first = dispatcher.submit(1);

        assertThat(first).succeedsWithin(LIVENESS);
        assertThat(errors).as("the error handler was told about the gate's failure").containsExactly(gateDown);
        assertThat(dispatcher.submit(2)).succeedsWithin(LIVENESS);
        assertThat(sendThreads).containsExactly("batcher-gate-send-1", "batcher-gate-send-1");
        assertThat(gateThreads).allMatch(name -> name.startsWith("batcher-gate-send-"));
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.sent()).isEqualTo(2);
        assertThat(stats.failedAttempts()).isEqualTo(1);
    }

    @Test
    void aSlowSendGateDoesNotHoldUpProducersBecauseItIsNotCalledUnderTheBufferLock() {
        CountDownLatch gateEntered = latch();
        CountDownLatch producerGotThrough = latch();
        AtomicReference<Boolean> gateSawTheProducer = new AtomicReference<>();
        SendGate gate = cost -> {
            if (gateEntered.getCount() > 0) {
                gateEntered.countDown();
                // Like a round trip to a shared-capacity service: meanwhile producers must not be held up.
                gateSawTheProducer.set(Waits.quietly(producerGotThrough, Duration.ofSeconds(5)));
            }
            return 0;
        };
        Dispatcher<Integer> dispatcher = create("slow-gate", options().maxBatchItems(1).maxConcurrentSends(1)
                .sendGate(gate), batch -> { });
        CompletableFuture<Void> first = dispatcher.submit(1);
        assertThat(Waits.quietly(gateEntered, LIVENESS)).as("the gate was asked").isTrue();

        CompletableFuture<Void> second = dispatcher.submit(2);
        producerGotThrough.countDown();

        assertThat(first).succeedsWithin(LIVENESS);
        assertThat(second).succeedsWithin(LIVENESS);
        assertThat(gateSawTheProducer.get()).as("a producer submitted while the gate was deciding").isTrue();
    }

    // ------------------------------------------------------------------ 4. a late return settles the retry

    @Test
    void aLateReturnOfAnAbandonedAttemptSettlesNothingAndTheRetryNeverRunsBesideIt() {
        Duration sendTimeout = Duration.ofSeconds(1);
        CountDownLatch releaseFirst = latch();
        CountDownLatch secondEntered = latch();
        AtomicReference<CompletableFuture<Void>> item = new AtomicReference<>();
        Waits.Occupancy sink = new Waits.Occupancy();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Dispatcher<Integer> dispatcher = create("late", options().scheduler(clock).maxBatchItems(1)
                .maxConcurrentSends(1).sendTimeout(sendTimeout)
                .retry(DispatcherConfig.UNLIMITED, Duration.ofMillis(1), 1.0, Duration.ofMillis(1))
                .errorHandler((batch, error) -> {
                    errors.add(error);
                    return !ErrorHandler.isPermanent(error);
                }), batch -> {
                    sink.enter();
                    try {
                        if (batch.attempt() == 1) {
                            // Hangs past send-timeout ignoring the interrupt, then returns normally: a late "success".
                            Waits.ignoringInterrupts(releaseFirst, Duration.ofSeconds(30));
                            return;
                        }
                        secondEntered.countDown();
                        try {
                            // Had attempt 1's late return settled the batch, its future would complete now.
                            item.get().get(300, TimeUnit.MILLISECONDS);
                        }
                        catch (TimeoutException | ExecutionException ex) {
                            // not settled by attempt 1: as it should be
                        }
                        throw new PermanentSendException("attempt " + batch.attempt() + " refused");
                    }
                    finally {
                        sink.leave();
                    }
                });
        item.set(dispatcher.submit(1));
        await().until(() -> sink.now() == 1);

        clock.advance(sendTimeout); // attempt 1 is abandoned; its thread ignores the interrupt
        await().until(() -> errors.size() == 1 && dispatcher.stats().retried() == 1);
        assertThat(errors.get(0)).isInstanceOf(SendTimeoutException.class);
        clock.advance(Duration.ofMillis(1)); // the retry is due
        // A second thread that started attempt 2 beside the hung one would be inside the sink by now.
        boolean secondRanBesideFirst = Waits.quietly(secondEntered, Duration.ofMillis(500));
        releaseFirst.countDown();

        assertDropped(item.get(), DropReason.NOT_RETRYABLE);
        assertThat(secondRanBesideFirst).as("attempt 2 entered the sink while attempt 1 was still inside").isFalse();
        assertThat(sink.most()).isEqualTo(1);
        assertThat(errors).hasSize(2);
        assertThat(errors.get(1)).hasMessage("attempt 2 refused");
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.sent()).as("the late return of attempt 1 was not counted as sent").isZero();
        assertThat(stats.sentBatches()).isZero();
        assertThat(stats.dropped(DropReason.NOT_RETRYABLE)).isEqualTo(1);
        assertThat(stats.isBalanced()).isTrue();
    }

    @Test
    void withTwoSendSlotsTheLateReturnOfAttemptOneWhileAttemptTwoRunsSettlesNothing() {
        Duration sendTimeout = Duration.ofSeconds(1);
        CountDownLatch releaseFirst = latch();
        CountDownLatch releaseSecond = latch();
        AtomicInteger returned = new AtomicInteger();
        Dispatcher<Integer> dispatcher = create("late2", options().scheduler(clock).maxBatchItems(1)
                .maxConcurrentSends(2).sendTimeout(sendTimeout)
                .retry(DispatcherConfig.UNLIMITED, Duration.ofMillis(1), 1.0, Duration.ofMillis(1)), batch -> {
                    if (batch.attempt() == 1) {
                        // Hangs past send-timeout ignoring the interrupt, then returns normally: a late "success".
                        Waits.ignoringInterrupts(releaseFirst, Duration.ofSeconds(30));
                        returned.incrementAndGet();
                        return;
                    }
                    Waits.ignoringInterrupts(releaseSecond, Duration.ofSeconds(30));
                    throw new PermanentSendException("attempt " + batch.attempt() + " refused");
                });
        CompletableFuture<Void> item = dispatcher.submit(1);
        await().until(() -> dispatcher.stats().inFlightItems() == 1);
        clock.advance(sendTimeout); // attempt 1 is abandoned: its thread keeps one slot
        await().until(() -> dispatcher.stats().retried() == 1);
        clock.advance(Duration.ofMillis(1)); // attempt 2 starts on the other slot
        await().until(() -> dispatcher.stats().inFlightItems() == 1 && dispatcher.stats().abandonedSends() == 1);

        releaseFirst.countDown(); // attempt 1 returns "success" while attempt 2 is still running
        await().until(() -> returned.get() == 1 && dispatcher.stats().abandonedSends() == 0);
        assertThat(item).as("attempt 1's late return settled nothing").isNotDone();
        assertThat(dispatcher.stats().sent()).isZero();
        releaseSecond.countDown();

        assertDropped(item, DropReason.NOT_RETRYABLE);
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.sent()).isZero();
        assertThat(stats.dropped(DropReason.NOT_RETRYABLE)).isEqualTo(1);
        assertThat(stats.isBalanced()).isTrue();
    }

    // ------------------------------------------------------------------ 5. hung sends leak threads

    @Test
    void tenTimeoutsOfASinkThatIgnoresInterruptsNeverPutASecondThreadInsideItAndFifoOrderHolds() {
        int hangs = 10;
        Duration sendTimeout = Duration.ofMillis(100);
        List<CountDownLatch> releases = IntStream.range(0, hangs).mapToObj(i -> latch()).toList();
        AtomicInteger calls = new AtomicInteger();
        Waits.Occupancy sink = new Waits.Occupancy();
        List<Integer> callOrder = new CopyOnWriteArrayList<>();
        AtomicInteger timeouts = new AtomicInteger();
        Dispatcher<Integer> dispatcher = create("hung", options().scheduler(clock).ordering(Ordering.FIFO)
                .maxConcurrentSends(1).maxBatchItems(1).sendTimeout(sendTimeout)
                .retry(DispatcherConfig.UNLIMITED, Duration.ofMillis(1), 1.0, Duration.ofMillis(1))
                .errorHandler((batch, error) -> {
                    if (error instanceof SendTimeoutException) {
                        timeouts.incrementAndGet();
                    }
                    return true;
                }), batch -> {
                    sink.enter();
                    try {
                        callOrder.add(batch.items().get(0));
                        int call = calls.getAndIncrement();
                        if (call < hangs) {
                            Waits.ignoringInterrupts(releases.get(call), Duration.ofSeconds(30));
                        }
                    }
                    finally {
                        sink.leave();
                    }
                });
        List<Integer> completions = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int id = i;
            futures.add(dispatcher.submit(i));
            futures.get(i).thenRun(() -> completions.add(id));
        }

        for (int k = 1; k <= hangs; k++) {
            int attempt = k;
            await().until(() -> calls.get() >= attempt); // attempt k of batch 0 hangs in the sink
            clock.advance(sendTimeout);
            await().until(() -> timeouts.get() >= attempt && dispatcher.stats().retried() >= attempt);
            clock.advance(Duration.ofMillis(1)); // its retry is due
            await("attempt " + k + " alone in the sink").during(Duration.ofMillis(200)).atMost(LIVENESS)
                    .until(() -> sink.now() == 1 && sink.most() == 1);
            releases.get(k - 1).countDown(); // the hung call returns late
        }

        assertThat(futures).allSatisfy(future -> assertThat(future).succeedsWithin(LIVENESS));
        assertThat(sink.most()).as("threads inside the sink at once").isEqualTo(1);
        List<Integer> expectedCalls = new ArrayList<>(Collections.nCopies(hangs + 1, 0));
        expectedCalls.addAll(List.of(1, 2, 3, 4));
        assertThat(callOrder).containsExactlyElementsOf(expectedCalls);
        await().until(() -> completions.size() == 5);
        assertThat(completions).containsExactly(0, 1, 2, 3, 4);
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.failedAttempts()).isEqualTo(hangs);
        assertThat(stats.sentBatches()).isEqualTo(5);
        assertThat(stats.sent()).isEqualTo(5);
    }

    // ------------------------------------------------------------------ 6. next batch leased before futures complete

    @Test
    void aSlowContinuationOnOneFutureNeitherTimesOutTheNextBatchNorResendsItAfterClose() throws Exception {
        CountDownLatch continuationRegistered = latch();
        CountDownLatch continuationEntered = latch();
        CountDownLatch releaseContinuation = latch();
        List<String> sends = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        AtomicReference<String> continuationThread = new AtomicReference<>();
        Dispatcher<Integer> dispatcher = create("continuation", options().maxBatchItems(1).maxConcurrentSends(1)
                .sendTimeout(Duration.ofSeconds(2))
                .retry(DispatcherConfig.UNLIMITED, Duration.ofMillis(1), 1.0, Duration.ofMillis(1))
                .errorHandler((batch, error) -> {
                    errors.add(error);
                    return true;
                }), batch -> {
                    if (batch.items().get(0) == 0) {
                        Waits.quietly(continuationRegistered, LIVENESS);
                    }
                    sends.add(batch.items().get(0) + "@" + batch.attempt());
                });
        CompletableFuture<Void> item0 = dispatcher.submit(0);
        CompletableFuture<Void> continuation = item0.thenRun(() -> {
            continuationThread.set(threadName());
            continuationEntered.countDown();
            Waits.quietly(releaseContinuation, LIVENESS); // a slow continuation, like a blocking call
        });
        CompletableFuture<Void> item1 = dispatcher.submit(1);
        continuationRegistered.countDown();

        assertThat(continuationEntered.await(LIVENESS.toSeconds(), TimeUnit.SECONDS)).isTrue();
        await().until(() -> sends.size() >= 2); // item 1 goes out while the continuation still runs
        assertThat(sends).containsExactly("0@1", "1@1");
        assertThat(errors).as("no attempt timed out").isEmpty();
        assertThat(continuationThread.get()).isEqualTo("batcher-continuation-callbacks");

        releaseContinuation.countDown();
        assertThat(dispatcher.close(Duration.ofSeconds(30))).isTrue();
        int sendsAtClose = sends.size();

        assertThat(continuation).isDone();
        assertThat(item1).isCompleted();
        await().during(Duration.ofMillis(300)).atMost(LIVENESS).until(() -> sends.size() == sendsAtClose);
        assertThat(sends).containsExactly("0@1", "1@1");
        assertThat(dispatcher.stats().failedAttempts()).isZero();
        assertThat(dispatcher.stats().sentBatches()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ 7. user code on the timer thread

    @Test
    void aSlowErrorHandlerDoesNotDelayTheAgeCutOfAnotherBatch() {
        assertAgeCutNotDelayedBySlowHandler("slow-error-handler", true);
    }

    @Test
    void aSlowDropHandlerDoesNotDelayTheAgeCutOfAnotherBatch() {
        assertAgeCutNotDelayedBySlowHandler("slow-drop-handler", false);
    }

    /**
     * A batch times out; the handler told about it (error handler, or drop handler after the error handler gives
     * up) blocks until the test releases it. Meanwhile another batch must still be cut by age and sent.
     */
    private void assertAgeCutNotDelayedBySlowHandler(String name, boolean slowErrorHandler) {
        CountDownLatch handlerEntered = latch();
        CountDownLatch releaseHandler = latch();
        AtomicReference<String> handlerThread = new AtomicReference<>();
        AtomicBoolean handlerReturned = new AtomicBoolean();
        Runnable slowHandler = () -> {
            handlerThread.set(threadName());
            handlerEntered.countDown();
            Waits.quietly(releaseHandler, LIVENESS);
            handlerReturned.set(true);
        };
        List<List<Integer>> sent = new CopyOnWriteArrayList<>();
        Dispatcher<Integer> dispatcher = create(name, options().maxBatchItems(100).maxBatchAge(Duration.ofMillis(50))
                .maxConcurrentSends(2).sendTimeout(Duration.ofMillis(100))
                .errorHandler((batch, error) -> {
                    if (slowErrorHandler) {
                        slowHandler.run();
                    }
                    return false;
                })
                .dropHandler((items, reason, cause) -> {
                    if (!slowErrorHandler) {
                        slowHandler.run();
                    }
                }), batch -> {
                    if (batch.items().contains(-1)) {
                        new CountDownLatch(1).await(); // hangs until interrupted at send-timeout
                    }
                    sent.add(List.copyOf(batch.items()));
                });
        CompletableFuture<Void> hung = dispatcher.submit(-1);
        assertThat(Waits.quietly(handlerEntered, LIVENESS)).as("the handler was called").isTrue();

        dispatcher.submit(7); // cut only by max-batch-age

        await().atMost(Duration.ofSeconds(5)).until(() -> sent.contains(List.of(7)));
        assertThat(handlerReturned).as("the handler was still running when the age cut went out").isFalse();
        assertThat(handlerThread.get()).isEqualTo("batcher-" + name + "-callbacks");
        releaseHandler.countDown();
        assertDropped(hung, DropReason.NOT_RETRYABLE);
        assertThat(dispatcher.close(Duration.ofSeconds(30))).isTrue();
        assertThat(dispatcher.stats().sent()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ 8. callbacks stall the dispatcher

    @Test
    void aFutureCallbackThatWouldBlockOnAFullBufferFailsAtOnceInsteadOfParkingADispatcherThread() {
        CountDownLatch releaseFirst = latch();
        CountDownLatch releaseRest = latch();
        Dispatcher<Integer> dispatcher = create("callback-submit", options().maxBatchItems(1).maxConcurrentSends(2)
                .bufferMaxItems(3).fullBehavior(FullBehavior.BLOCK).blockTimeout(Duration.ofMinutes(1)), batch -> {
                    if (batch.items().get(0) == 0) {
                        releaseFirst.await();
                    }
                    else {
                        releaseRest.await();
                    }
                });
        CompletableFuture<Void> item0 = dispatcher.submit(0);
        dispatcher.submit(1);
        await().until(() -> dispatcher.stats().inFlightBatches() == 2);
        dispatcher.submit(2); // 0 and 1 in flight, 2 waiting: the buffer is full
        CompletableFuture<Void> producer = new CompletableFuture<>();
        CompletableFuture<Throwable> callbackSubmit = new CompletableFuture<>();
        AtomicReference<String> callbackThread = new AtomicReference<>();
        item0.thenRun(() -> {
            callbackThread.set(threadName());
            try {
                // The producer blocked below took the room item 0 left: the buffer is full again.
                await().atMost(LIVENESS).until(() -> producer.isDone() && dispatcher.stats().bufferedItems()
                        + dispatcher.stats().inFlightItems() == 3);
                dispatcher.submit(99);
                callbackSubmit.complete(null);
            }
            catch (Throwable ex) {
                callbackSubmit.complete(ex);
            }
        });
        Thread blocked = new Thread(() -> {
            dispatcher.enqueue(3);
            producer.complete(null);
        }, "blocked-producer");
        blocked.start();
        await().until(() -> blocked.getState() == Thread.State.WAITING
                || blocked.getState() == Thread.State.TIMED_WAITING);

        releaseFirst.countDown();

        assertThat(callbackSubmit).succeedsWithin(LIVENESS).isInstanceOfSatisfying(IllegalStateException.class,
                ex -> assertThat(ex).hasMessageContaining("own thread"));
        assertThat(callbackThread.get()).isEqualTo("batcher-callback-submit-callbacks");
        assertThat(dispatcher.stats().submitted()).as("the refused item is not counted").isEqualTo(4);
        releaseRest.countDown();
        assertThat(dispatcher.close(Duration.ofSeconds(30))).isTrue();
        assertThat(dispatcher.stats().sent()).isEqualTo(4);
    }

    @Test
    void aSinkThatSubmitsIntoItsOwnFullBufferFailsAtOnceInsteadOfParkingTheSenderThread() {
        CountDownLatch itemOneBuffered = latch();
        CompletableFuture<Throwable> sinkSubmit = new CompletableFuture<>();
        Dispatcher<Integer> dispatcher = create("sink-submit", options().maxBatchItems(1).maxConcurrentSends(1)
                .bufferMaxItems(2).fullBehavior(FullBehavior.BLOCK).blockTimeout(Duration.ofMinutes(1)), batch -> {
                    if (batch.items().get(0) == 0) {
                        Waits.quietly(itemOneBuffered, LIVENESS); // 0 in flight, 1 waiting: the buffer is full
                        try {
                            self.get().submit(99);
                            sinkSubmit.complete(null);
                        }
                        catch (Throwable ex) {
                            sinkSubmit.complete(ex);
                        }
                    }
                });
        dispatcher.submit(0);
        dispatcher.submit(1);
        itemOneBuffered.countDown();

        assertThat(sinkSubmit).succeedsWithin(LIVENESS).isInstanceOfSatisfying(IllegalStateException.class,
                ex -> assertThat(ex).hasMessageContaining("own thread"));
        assertThat(dispatcher.close(Duration.ofSeconds(30))).isTrue();
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.submitted()).isEqualTo(2);
        assertThat(stats.sent()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ 9. the small ones

    @Test
    void pauseDuringTheDrainIsRefusedAndTheDrainCompletes() {
        CountDownLatch release = latch();
        RecordingSender<Integer> sender = new RecordingSender<>() {
            @Override
            void beforeSend(Batch<Integer> batch) throws Exception {
                release.await();
            }
        };
        Dispatcher<Integer> dispatcher = create("pause-drain", options().maxBatchItems(1).maxConcurrentSends(1),
                sender);
        List<CompletableFuture<Void>> futures = IntStream.range(0, 3).mapToObj(dispatcher::submit).toList();
        await().until(() -> dispatcher.stats().inFlightBatches() == 1);
        CompletableFuture<Boolean> closing = new CompletableFuture<>();
        new Thread(() -> closing.complete(dispatcher.close(Duration.ofSeconds(30))), "closer").start();
        await().until(dispatcher::isClosed);

        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(dispatcher::pause)
                .withMessageContaining("pause-drain").withMessageContaining("pause refused");

        release.countDown();
        assertThat(closing).succeedsWithin(LIVENESS).isEqualTo(true);
        assertThat(futures).allSatisfy(future -> assertThat(future).isCompleted());
        assertThat(sender.items()).containsExactly(0, 1, 2);
        assertThat(dispatcher.stats().paused()).isFalse();
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(dispatcher::pause)
                .withMessageContaining("pause refused");
    }

    @Test
    void pauseAfterShutdownNowIsRefused() {
        Dispatcher<Integer> dispatcher = create("pause-stopped", options(), batch -> { });
        dispatcher.shutdownNow();
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(dispatcher::pause)
                .withMessageContaining("pause-stopped").withMessageContaining("pause refused");
    }

    /**
     * Complexity, not speed: 100,000 evictions over 100,000 keys take about a second (7 s at a load average of 14 on
     * 2 cores) when the oldest batch is found directly; when every eviction scans every key (10^10 steps) the engine
     * before the rewrite managed 17,000 of them in 60 s. The bound is a liveness bound far from both.
     */
    @Test
    void dropOldestWithPerKeyOrderingDropsTheOldestBatchWithoutScanningEveryKey() {
        int keys = 100_000;
        List<Integer> droppedItems = Collections.synchronizedList(new ArrayList<>());
        Dispatcher<Integer> dispatcher = create("many-keys", options().scheduler(clock).ordering(Ordering.PER_KEY)
                .keyExtractor(i -> i).maxBatchItems(1).bufferMaxItems(keys).fullBehavior(FullBehavior.DROP_OLDEST)
                .dropHandler((items, reason, cause) -> droppedItems.addAll(items)), batch -> { });
        dispatcher.pause();
        for (int i = 0; i < keys; i++) {
            dispatcher.enqueue(i); // one waiting batch per key
            clock.advance(Duration.ofNanos(1));
        }
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> evicting = new CompletableFuture<>();
        new Thread(() -> {
            for (int i = keys; i < 2 * keys && !stop.get(); i++) {
                dispatcher.enqueue(i); // each one drops the oldest waiting batch
                clock.advance(Duration.ofNanos(1));
            }
            evicting.complete(null);
        }, "evicting-producer").start();
        try {
            assertThat(evicting).succeedsWithin(Duration.ofSeconds(60));
        }
        finally {
            stop.set(true);
        }

        await().until(() -> droppedItems.size() == keys);
        assertThat(droppedItems).containsExactlyElementsOf(IntStream.range(0, keys).boxed().toList());
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.dropped(DropReason.OLDEST_DROPPED)).isEqualTo(keys);
        assertThat(stats.bufferedItems()).isEqualTo(keys);
        assertThat(stats.isBalanced()).isTrue();
    }

    @Test
    void aFailingHeartbeatIsNeverRetriedSoCloseWithNoItemsDrainsAtOnce() {
        List<Integer> heartbeatAttempts = new CopyOnWriteArrayList<>();
        Dispatcher<Integer> dispatcher = create("heartbeat", options().minBatchesPerSecond(20)
                .retry(DispatcherConfig.UNLIMITED, Duration.ofMillis(5), 1.0, Duration.ofMillis(5)), batch -> {
                    if (batch.isHeartbeat()) {
                        heartbeatAttempts.add(batch.attempt());
                        throw new IOException("heartbeat endpoint down");
                    }
                });
        await().until(() -> heartbeatAttempts.size() >= 2);

        assertThat(dispatcher.close(Duration.ofSeconds(5))).as("close with 0 items drained").isTrue();

        assertThat(heartbeatAttempts).containsOnly(1);
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.submitted()).isZero();
        assertThat(stats.dropped()).isZero();
        assertThat(stats.retried()).isZero();
        assertThat(stats.drained()).isTrue();
    }

    // ------------------------------------------------------------------ 10. luci parity

    @Test
    void unlimitedBatchItemsWithAByteLimitCutsBatchesByBytesAndAgeOnly() {
        RecordingSender<Integer> sender = new RecordingSender<>();
        Dispatcher<Integer> dispatcher = create("luci-bytes", options().scheduler(clock)
                .maxBatchItems(DispatcherConfig.UNLIMITED).itemSizer(item -> 1L).maxBatchBytes(300)
                .maxBatchAge(Duration.ofSeconds(1)).maxConcurrentSends(1), sender);

        IntStream.range(0, 700).forEach(dispatcher::enqueue);

        await().until(() -> sender.batches.size() == 2);
        assertThat(sender.sizes()).as("cut by bytes, far above the default item limit").containsExactly(300, 300);
        clock.advance(Duration.ofSeconds(1));
        await().until(() -> sender.batches.size() == 3);
        assertThat(sender.sizes()).as("the rest cut by age").containsExactly(300, 300, 100);
        assertThat(sender.items()).containsExactlyElementsOf(IntStream.range(0, 700).boxed().toList());
        assertThat(dispatcher.config().maxBatchItems()).isEqualTo(DispatcherConfig.UNLIMITED);
    }

    @Test
    void dropOldestWithEveryBatchBeingSentDropsTheOldestInFlightBatchAndIgnoresItsLaterSuccess() {
        CountDownLatch release = latch();
        List<List<Integer>> dropped = new CopyOnWriteArrayList<>();
        List<DropReason> reasons = new CopyOnWriteArrayList<>();
        Dispatcher<Integer> dispatcher = create("drop-in-flight", options().scheduler(clock).maxBatchItems(5)
                .bufferMaxItems(10).maxConcurrentSends(2).fullBehavior(FullBehavior.DROP_OLDEST)
                .dropHandler((items, reason, cause) -> {
                    dropped.add(List.copyOf(items));
                    reasons.add(reason);
                }), batch -> release.await());
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        IntStream.range(0, 10).forEach(i -> futures.add(dispatcher.submit(i)));
        await().until(() -> dispatcher.stats().inFlightItems() == 10); // both batches are being sent

        CompletableFuture<Void> newest = dispatcher.submit(10);

        futures.subList(0, 5).forEach(future -> assertDropped(future, DropReason.OLDEST_DROPPED));
        await().until(() -> dropped.size() == 1);
        assertThat(dropped).containsExactly(List.of(0, 1, 2, 3, 4));
        release.countDown(); // both sends return normally, the dropped batch's too
        futures.subList(5, 10).forEach(future -> assertThat(future).succeedsWithin(LIVENESS));
        assertThat(dispatcher.close(Duration.ofSeconds(30))).isTrue();
        assertThat(newest).isCompleted();
        futures.subList(0, 5).forEach(future -> assertDropped(future, DropReason.OLDEST_DROPPED));
        assertThat(reasons).containsExactly(DropReason.OLDEST_DROPPED);
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.submitted()).isEqualTo(11);
        assertThat(stats.sent()).isEqualTo(6);
        assertThat(stats.sentBatches()).isEqualTo(2);
        assertThat(stats.dropped(DropReason.OLDEST_DROPPED)).isEqualTo(5);
        assertThat(stats.isBalanced()).isTrue();
    }

    @Test
    void dropOldestWithOneBatchWaitingForItsRetryAndOneBeingSentDropsTheRetryingOneWhichIsNeverSentAgain() {
        CountDownLatch release = latch();
        List<List<Integer>> dropped = new CopyOnWriteArrayList<>();
        RecordingSender<Integer> sender = new RecordingSender<>() {
            @Override
            void beforeSend(Batch<Integer> batch) throws Exception {
                if (batch.items().contains(0)) {
                    throw new IOException("transient");
                }
                release.await();
            }
        };
        Dispatcher<Integer> dispatcher = create("drop-retrying", options().scheduler(clock).maxBatchItems(5)
                .bufferMaxItems(10).maxConcurrentSends(1).fullBehavior(FullBehavior.DROP_OLDEST)
                .retry(DispatcherConfig.UNLIMITED, Duration.ofMinutes(1), 1.0, Duration.ofMinutes(1))
                .sendTimeout(Duration.ofHours(1)) // the clock jump below must not time out 5..9
                .dropHandler((items, reason, cause) -> dropped.add(List.copyOf(items))), sender);
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        IntStream.range(0, 5).forEach(i -> futures.add(dispatcher.submit(i)));
        await().until(() -> dispatcher.stats().retried() == 5); // 0..4 failed and waits a minute for its retry
        IntStream.range(5, 10).forEach(i -> futures.add(dispatcher.submit(i)));
        await().until(() -> dispatcher.stats().inFlightItems() == 5); // 5..9 is being sent

        CompletableFuture<Void> newest = dispatcher.submit(10);

        futures.subList(0, 5).forEach(future -> assertDropped(future, DropReason.OLDEST_DROPPED));
        await().until(() -> dropped.size() == 1);
        assertThat(dropped).containsExactly(List.of(0, 1, 2, 3, 4));
        clock.advance(Duration.ofMinutes(2)); // the retry would have been due
        release.countDown();
        assertThat(dispatcher.close(Duration.ofSeconds(30))).isTrue();
        assertThat(newest).isCompleted();
        assertThat(sender.attempts).as("0..4 was tried once, then dropped").hasSize(3);
        assertThat(sender.batches).containsExactly(List.of(5, 6, 7, 8, 9), List.of(10));
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.sent()).isEqualTo(6);
        assertThat(stats.dropped(DropReason.OLDEST_DROPPED)).isEqualTo(5);
        assertThat(stats.isBalanced()).isTrue();
    }
}
