package dev.batcher.dispatch;

import static dev.batcher.modelcheck.ModelCheck.fork;
import static dev.batcher.modelcheck.ModelCheck.join;

import dev.batcher.FullBehavior;
import dev.batcher.PermanentSendException;
import dev.batcher.modelcheck.ModelCheck;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher's races, explored systematically: each test is a small scenario (2-4 threads of its own, 1-2
 * items) that {@link ModelCheck} runs under Fray's controlled scheduler, one interleaving per iteration, checking the
 * whole invariant of {@link OutcomeLedger} after each. Timers run on a {@link ModelClock}, so a lease expiry or a
 * retry back-off fires at whichever point the model checker picks, with no real timed wait.
 *
 * <p>How to run, the iteration budget and the {@code -Pexplore} profile: docs/concurrency-testing.md.
 */
class DispatcherModelCheckTest {

    /** Beyond the clock's horizon: a timer set this far never fires. */
    private static final Duration NEVER = Duration.ofHours(1);
    private static final Duration HORIZON = Duration.ofMinutes(1);
    private static final Duration SEND_TIMEOUT = Duration.ofMillis(10);
    private static final Duration BACKOFF = Duration.ofMillis(1);
    /** Under Fray a timed wait times out only when no other thread can move: this means "until stuck". */
    private static final Duration DRAIN = Duration.ofSeconds(2);

    @Test
    void submitRacingCloseEndsEveryAcceptedItemAndRefusesTheRest() {
        ModelCheck.explore("submit against close", () -> {
            OutcomeLedger ledger = new OutcomeLedger(2);
            Dispatcher<Integer> dispatcher = Dispatcher.create("close-race",
                    config(ledger, new ModelClock(HORIZON)).maxConcurrentSends(2).build(),
                    ledger.sink(batch -> { }));
            Thread first = fork("producer-1", () -> ledger.submit(dispatcher, 1));
            Thread second = fork("producer-2", () -> ledger.submit(dispatcher, 2));
            ledger.close(dispatcher, DRAIN);
            join(first, second);
            ledger.verify(dispatcher);
        });
    }

    @Test
    void submitRacingShutdownNowEndsEveryAcceptedItem() {
        ModelCheck.explore("submit against shutdownNow", () -> {
            OutcomeLedger ledger = new OutcomeLedger(1);
            CountDownLatch release = new CountDownLatch(1);
            Dispatcher<Integer> dispatcher = Dispatcher.create("shutdown-race",
                    config(ledger, new ModelClock(HORIZON)).maxConcurrentSends(1).build(),
                    ledger.sink(batch -> release.await()));
            Thread first = fork("producer-1", () -> ledger.submit(dispatcher, 1));
            Thread second = fork("producer-2", () -> ledger.submit(dispatcher, 2));
            Thread releaser = fork("releaser", release::countDown);
            dispatcher.shutdownNow();
            join(first, second, releaser);
            ledger.close(dispatcher, DRAIN);
            ledger.verify(dispatcher);
        });
    }

    @Test
    void dropRacingTheDrainIsSettledBeforeCloseReturns() {
        ModelCheck.explore("a drop against the drain", () -> {
            OutcomeLedger ledger = new OutcomeLedger(2);
            Dispatcher<Integer> dispatcher = Dispatcher.create("drop-drain",
                    config(ledger, new ModelClock(HORIZON)).maxConcurrentSends(2).build(),
                    ledger.sink(batch -> {
                        if (batch.items().contains(1)) {
                            throw new PermanentSendException("item 1 is rejected for good");
                        }
                    }));
            ledger.submit(dispatcher, 1);
            ledger.submit(dispatcher, 2);
            ledger.close(dispatcher, DRAIN);
            ledger.verify(dispatcher);
        });
    }

    @Test
    void producerBlockedOnAFullBufferRacingShutdownNowAddsNothing() {
        ModelCheck.explore("a blocked producer against shutdownNow", () -> {
            OutcomeLedger ledger = new OutcomeLedger(1);
            CountDownLatch release = new CountDownLatch(1);
            Dispatcher<Integer> dispatcher = Dispatcher.create("blocked-shutdown",
                    fullBufferConfig(ledger).build(), ledger.sink(batch -> release.await()));
            Thread first = fork("producer-1", () -> ledger.submit(dispatcher, 1));
            Thread second = fork("producer-2", () -> ledger.submit(dispatcher, 2));
            Thread releaser = fork("releaser", release::countDown);
            dispatcher.shutdownNow();
            join(first, second, releaser);
            ledger.close(dispatcher, DRAIN);
            ledger.verify(dispatcher);
        });
    }

    @Test
    void producerBlockedOnAFullBufferRacingCloseAddsNothingAfterTheDrain() {
        ModelCheck.explore("a blocked producer against close", () -> {
            OutcomeLedger ledger = new OutcomeLedger(1);
            CountDownLatch release = new CountDownLatch(1);
            Dispatcher<Integer> dispatcher = Dispatcher.create("blocked-close",
                    fullBufferConfig(ledger).build(), ledger.sink(batch -> release.await()));
            Thread first = fork("producer-1", () -> ledger.submit(dispatcher, 1));
            Thread second = fork("producer-2", () -> ledger.submit(dispatcher, 2));
            Thread releaser = fork("releaser", release::countDown);
            ledger.close(dispatcher, DRAIN);
            join(first, second, releaser);
            ledger.verify(dispatcher);
        });
    }

    /**
     * Three producers race for a buffer of one item: those that find it full wait for room outside the kernel's lock
     * and are let in as outcomes release it. A lost wake-up would not show here (Fray ends a timed park once nothing
     * else can run, and the late producer then finds room); {@code FullBufferTest} catches that one in real time.
     */
    @Test
    void producersBlockedOnAFullBufferAreLetInAsRoomComesBack() {
        ModelCheck.explore("blocked producers against the release of room", () -> {
            OutcomeLedger ledger = new OutcomeLedger(1);
            Dispatcher<Integer> dispatcher = Dispatcher.create("room-wake",
                    fullBufferConfig(ledger).build(), ledger.sink(batch -> { }));
            Thread first = fork("producer-1", () -> ledger.submit(dispatcher, 1));
            Thread second = fork("producer-2", () -> ledger.submit(dispatcher, 2));
            Thread third = fork("producer-3", () -> ledger.submit(dispatcher, 3));
            join(first, second, third);
            ledger.close(dispatcher, DRAIN);
            ledger.verify(dispatcher);
        });
    }

    @Test
    void dropOldestRacingATimeoutAndCloseSettlesEveryDropBeforeCloseReturns() {
        ModelCheck.explore("drop-oldest against a timeout and close", () -> {
            OutcomeLedger ledger = new OutcomeLedger(1);
            ModelClock clock = new ModelClock(HORIZON);
            CountDownLatch release = new CountDownLatch(1);
            Dispatcher<Integer> dispatcher = Dispatcher.create("drop-oldest-timeout",
                    config(ledger, clock).maxConcurrentSends(1).bufferMaxItems(1)
                            .fullBehavior(FullBehavior.DROP_OLDEST).sendTimeout(SEND_TIMEOUT).build(),
                    ledger.sink(batch -> awaitIgnoringInterrupts(release)));
            Thread timer = clock.startTimerThread();
            Thread first = fork("producer-1", () -> ledger.submit(dispatcher, 1));
            Thread second = fork("producer-2", () -> ledger.submit(dispatcher, 2));
            Thread releaser = fork("releaser", release::countDown);
            join(first, second);
            ledger.close(dispatcher, DRAIN);
            clock.stop();
            join(timer, releaser);
            ledger.verify(dispatcher);
        });
    }

    @Test
    void gateThatThrowsFailsTheAttemptAndTheSenderKeepsSending() {
        ModelCheck.explore("a gate that throws", () -> {
            OutcomeLedger ledger = new OutcomeLedger(1);
            ModelClock clock = new ModelClock(HORIZON);
            AtomicInteger gateCalls = new AtomicInteger();
            Dispatcher<Integer> dispatcher = Dispatcher.create("throwing-gate",
                    config(ledger, clock).maxConcurrentSends(1)
                            .sendGate(cost -> {
                                if (gateCalls.incrementAndGet() == 1) {
                                    throw new IllegalStateException("shared capacity store unreachable");
                                }
                                return 0;
                            })
                            .build(),
                    ledger.sink(batch -> { }));
            Thread timer = clock.startTimerThread();
            ledger.submit(dispatcher, 1);
            ledger.submit(dispatcher, 2);
            ledger.close(dispatcher, DRAIN);
            clock.stop();
            join(timer);
            ledger.verify(dispatcher);
        });
    }

    @Test
    void uninterruptibleSinkNeverHasMoreCallsInsideThanTheConcurrencyLimit() {
        ModelCheck.explore("an uninterruptible sink", () -> {
            OutcomeLedger ledger = new OutcomeLedger(1);
            ModelClock clock = new ModelClock(HORIZON);
            CountDownLatch release = new CountDownLatch(1);
            Dispatcher<Integer> dispatcher = Dispatcher.create("uninterruptible",
                    config(ledger, clock).maxConcurrentSends(1).sendTimeout(SEND_TIMEOUT).build(),
                    ledger.sink(batch -> awaitIgnoringInterrupts(release)));
            submitOneAndClose(ledger, clock, release, dispatcher);
        });
    }

    @Test
    void lateReturnOfAnAbandonedAttemptSettlesNothing() {
        ModelCheck.explore("send completion against lease expiry and retry", () -> {
            OutcomeLedger ledger = new OutcomeLedger(1);
            ModelClock clock = new ModelClock(HORIZON);
            CountDownLatch release = new CountDownLatch(1);
            Dispatcher<Integer> dispatcher = Dispatcher.create("late-return",
                    config(ledger, clock).maxConcurrentSends(1).sendTimeout(SEND_TIMEOUT).build(),
                    ledger.sink(batch -> {
                        if (batch.attempt() == 1) {
                            awaitIgnoringInterrupts(release); // then returns normally, maybe after its timeout
                        }
                        else {
                            throw new PermanentSendException("attempt " + batch.attempt() + " is refused");
                        }
                    }));
            submitOneAndClose(ledger, clock, release, dispatcher);
        });
    }

    @Test
    void slowContinuationOfAFutureDoesNotLetTheNextBatchGoStale() {
        ModelCheck.explore("slow continuations", () -> {
            OutcomeLedger ledger = new OutcomeLedger(1);
            ModelClock clock = new ModelClock(HORIZON);
            CountDownLatch release = new CountDownLatch(1);
            Dispatcher<Integer> dispatcher = Dispatcher.create("slow-continuation",
                    config(ledger, clock).maxConcurrentSends(1).sendTimeout(SEND_TIMEOUT).build(),
                    ledger.sink(batch -> { }));
            Thread timer = clock.startTimerThread();
            Thread releaser = fork("releaser", release::countDown);
            ledger.submit(dispatcher, 1);
            if (ledger.future(1) != null) {
                // User code that waits and, sloppily, swallows an interrupt.
                ledger.future(1).thenRun(() -> {
                    try {
                        release.await();
                    }
                    catch (InterruptedException ignored) {
                        // swallowed
                    }
                });
            }
            ledger.submit(dispatcher, 2);
            ledger.close(dispatcher, DRAIN);
            clock.stop();
            join(timer, releaser);
            ledger.verify(dispatcher);
        });
    }

    // ---------------------------------------------------------------- fixtures

    /** One item per batch, no age cut, no send timeout, 3 attempts 1-2 ms apart, the ledger's callbacks. */
    private static DispatcherConfig.Builder<Integer> config(OutcomeLedger ledger, ModelClock clock) {
        return DispatcherConfig.<Integer>builder()
                .maxBatchItems(1)
                .maxBatchAge(NEVER)
                .sendTimeout(NEVER)
                .retry(3, BACKOFF, 2.0, BACKOFF.multipliedBy(2))
                .scheduler(clock)
                .dropHandler(ledger.dropHandler())
                .drainedCallback(ledger.drainedCallback());
    }

    /** Room for one item, producers block (no real timeout), one sender. */
    private static DispatcherConfig.Builder<Integer> fullBufferConfig(OutcomeLedger ledger) {
        return config(ledger, new ModelClock(HORIZON))
                .maxConcurrentSends(1)
                .bufferMaxItems(1)
                .fullBehavior(FullBehavior.BLOCK)
                .blockTimeout(NEVER);
    }

    /**
     * The common run of the timed scenarios: the timer and a releaser of the sink's latch run beside one submit and the
     * close, then the ledger checks every outcome.
     */
    private static void submitOneAndClose(OutcomeLedger ledger, ModelClock clock, CountDownLatch release,
            Dispatcher<Integer> dispatcher) {
        Thread timer = clock.startTimerThread();
        Thread releaser = fork("releaser", release::countDown);
        ledger.submit(dispatcher, 1);
        ledger.close(dispatcher, DRAIN);
        clock.stop();
        join(timer, releaser);
        ledger.verify(dispatcher);
    }

    /** A sink that ignores interrupts, like JDBC or a plain socket: it returns when released, flag restored. */
    private static void awaitIgnoringInterrupts(CountDownLatch release) {
        boolean interrupted = false;
        while (true) {
            try {
                release.await();
                break;
            }
            catch (InterruptedException ex) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
