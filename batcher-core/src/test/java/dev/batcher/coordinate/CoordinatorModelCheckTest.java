package dev.batcher.coordinate;

import static dev.batcher.modelcheck.ModelCheck.fork;
import static dev.batcher.modelcheck.ModelCheck.join;

import dev.batcher.modelcheck.ModelCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The Coordinator's enter / commit / cancel / abort / leave / close races, explored under Fray: every interleaving of
 * the callers' lock, condition and atomic steps that POS samples, checking after each that every contribution was
 * committed exactly once with its batch, or refused, or cancelled/aborted with the whole batch, and that all callers
 * of one batch got the same result. How to run: docs/concurrency-testing.md (the {@code model-check} execution).
 */
class CoordinatorModelCheckTest {

    private static final Duration DRAIN = Duration.ofSeconds(2);

    /** What each caller got, by item: a batch number, or how it ended. */
    private static final class Ledger {
        final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        final Map<Integer, String> outcomes = new ConcurrentHashMap<>();

        Coordinator<List<Integer>, Integer> coordinator(CoordinatorConfig config) {
            return Coordinator.create("model", config, ArrayList::new, (items, coach) -> {
                synchronized (batches) { // two coaches commit in parallel
                    batches.add(List.copyOf(items));
                    return batches.size() - 1;
                }
            });
        }

        void record(int item, Supplier<Object> call) {
            String outcome;
            try {
                Object result = call.get();
                outcome = result instanceof Attempt<?> attempt
                        ? (attempt.refused() ? "refused" : "batch " + attempt.result())
                        : "batch " + result;
            }
            catch (BatchCancelledException ex) {
                outcome = "cancelled";
            }
            catch (BatchAbortedException ex) {
                outcome = "aborted";
            }
            catch (CoordinatorClosedException ex) {
                outcome = "closed";
            }
            catch (IllegalArgumentException ex) {
                outcome = "threw";
            }
            catch (CommitWaitException ex) {
                outcome = ex.contributed() ? "stopped waiting" : "stopped waiting before contributing";
            }
            outcomes.put(item, outcome);
        }

        /** The invariant; {@code items} are every item a caller tried to contribute. */
        void verify(Coordinator<List<Integer>, Integer> coordinator, List<Integer> items) {
            List<String> violations = new ArrayList<>();
            Map<Integer, Integer> committedIn = new ConcurrentHashMap<>();
            for (int b = 0; b < batches.size(); b++) {
                for (Integer item : batches.get(b)) {
                    if (committedIn.put(item, b) != null) {
                        violations.add("item " + item + " committed twice: " + batches);
                    }
                }
            }
            for (Integer item : items) {
                String outcome = outcomes.get(item);
                Integer batch = committedIn.get(item);
                if (outcome == null) {
                    violations.add("the caller of item " + item + " got no outcome");
                }
                else if (outcome.startsWith("batch ")) {
                    if (batch == null || !outcome.equals("batch " + batch)) {
                        violations.add("item " + item + " got " + outcome + " but was committed in " + batch
                                + ": " + batches);
                    }
                }
                else if (outcome.equals("stopped waiting")) {
                    if (batch == null) {
                        violations.add("item " + item + " was contributed, its caller stopped waiting, and it was "
                                + "never committed: " + batches);
                    }
                }
                else if (batch != null) {
                    violations.add("item " + item + " got " + outcome + " but was committed in batch " + batch);
                }
            }
            CoordinatorStats stats = coordinator.stats();
            if (stats.announced() != 0 || stats.open() != 0) {
                violations.add("left behind: " + stats);
            }
            if (stats.committedContributions() != committedIn.size()) {
                violations.add("stats count " + stats.committedContributions() + " committed, the commits saw "
                        + committedIn.size());
            }
            if (!violations.isEmpty()) {
                throw new AssertionError("outcomes " + outcomes + ":\n  " + String.join("\n  ", violations));
            }
        }
    }

    /** A caller that contributes {@code items} one after the other, each call recorded in the ledger. */
    private static Thread contributor(String name, Ledger ledger, Coordinator<List<Integer>, Integer> coordinator,
            int... items) {
        return fork(name, () -> {
            for (int item : items) {
                ledger.record(item, () -> coordinator.contribute((batch, round) -> batch.add(item)));
            }
        });
    }

    @Test
    void contributeCancelAndTryRacingSettleEveryCallerOnce() {
        ModelCheck.explore("contribute / cancel / try", () -> {
            Ledger ledger = new Ledger();
            Coordinator<List<Integer>, Integer> coordinator = ledger.coordinator(CoordinatorConfig.defaults());
            Thread adder = fork("adder", () -> ledger.record(1,
                    () -> coordinator.contribute((items, round) -> items.add(1))));
            Thread canceller = fork("canceller", () -> ledger.record(2,
                    () -> coordinator.contribute((items, round) -> {
                        items.add(2);
                        round.cancel();
                    })));
            Thread trier = fork("trier", () -> ledger.record(3,
                    () -> coordinator.tryContribute((items, round) -> items.add(3))));
            join(adder, canceller, trier);
            ledger.verify(coordinator, List.of(1, 2, 3));
            if (!"cancelled".equals(ledger.outcomes.get(2))) {
                throw new AssertionError("the canceller got " + ledger.outcomes.get(2));
            }
        });
    }

    @Test
    void announcedTicketsLeavingAndAThrowingContributionSettleEveryCaller() {
        ModelCheck.explore("tickets / leave / abort", () -> {
            Ledger ledger = new Ledger();
            Coordinator<List<Integer>, Integer> coordinator = ledger.coordinator(CoordinatorConfig.defaults());
            Thread announced = fork("announced", () -> ledger.record(1, () -> {
                try (Ticket<List<Integer>, Integer> ticket = coordinator.announce()) {
                    return ticket.contribute((items, round) -> items.add(1));
                }
            }));
            Thread leaver = fork("leaver", () -> coordinator.announce().close());
            Thread thrower = fork("thrower", () -> ledger.record(3, () -> coordinator.contribute((items, round) -> {
                items.add(3);
                throw new IllegalArgumentException("spoilt");
            })));
            join(announced, leaver, thrower);
            ledger.verify(coordinator, List.of(1, 3));
            if (!"threw".equals(ledger.outcomes.get(3))) {
                throw new AssertionError("the thrower got " + ledger.outcomes.get(3));
            }
        });
    }

    @Test
    void twoCoachesRacingCloseCommitOrRefuseEveryContributionAndDrain() {
        ModelCheck.explore("two coaches / close", () -> {
            Ledger ledger = new Ledger();
            Coordinator<List<Integer>, Integer> coordinator = ledger.coordinator(
                    CoordinatorConfig.builder().coaches(2).build());
            Thread first = fork("first", () -> ledger.record(1,
                    () -> coordinator.contribute((items, round) -> items.add(1))));
            Thread second = fork("second", () -> ledger.record(2,
                    () -> coordinator.contribute((items, round) -> items.add(2))));
            boolean drained = coordinator.close(DRAIN);
            join(first, second);
            ledger.verify(coordinator, List.of(1, 2));
            if (!drained || !coordinator.isDrained()) {
                throw new AssertionError("close(2 s) returned " + drained + ", drained " + coordinator.isDrained());
            }
        });
    }

    @Test
    void announcedCallersAndAFlushRacingCommitEachContributionOnceWithTheSameResultForTheBatch() {
        ModelCheck.explore("tickets / flush", () -> {
            Ledger ledger = new Ledger();
            Coordinator<List<Integer>, Integer> coordinator = ledger.coordinator(CoordinatorConfig.defaults());
            Ticket<List<Integer>, Integer> one = coordinator.announce();
            Ticket<List<Integer>, Integer> two = coordinator.announce();
            Thread first = fork("ticket-1", () -> ledger.record(1, () -> one.contribute((items, round) -> items.add(1))));
            Thread second = fork("ticket-2", () -> ledger.record(2, () -> two.contribute((items, round) -> items.add(2))));
            Thread third = fork("direct", () -> ledger.record(3,
                    () -> coordinator.contribute((items, round) -> items.add(3))));
            Thread flusher = fork("flusher", coordinator::flush);
            join(first, second, third, flusher);
            ledger.verify(coordinator, List.of(1, 2, 3));
        });
    }

    @Test
    void callersContributingAgainAtOnceEachGetTheirOwnBatchOutcome() {
        ModelCheck.explore("callers contributing in a loop", () -> {
            Ledger ledger = new Ledger();
            Coordinator<List<Integer>, Integer> coordinator = ledger.coordinator(CoordinatorConfig.defaults());
            List<Thread> callers = new ArrayList<>();
            for (int caller = 0; caller < 3; caller++) {
                callers.add(contributor("caller-" + caller, ledger, coordinator, 2 * caller + 1, 2 * caller + 2));
            }
            join(callers.toArray(Thread[]::new));
            ledger.verify(coordinator, List.of(1, 2, 3, 4, 5, 6));
            if (!coordinator.close(DRAIN)) {
                throw new AssertionError("close did not drain: " + coordinator.stats());
            }
        });
    }

    @Test
    void theWaitersOfASettledBatchWakeEachOther() {
        // A ticket keeps the batch open while four callers contribute and park; when it leaves, one of them commits
        // and unparks two of the other three, and one of those must unpark the last (Batch.wakeSome): a waiter that
        // picked up the outcome without passing the wake-up on leaves the last one parked for ever.
        ModelCheck.explore("waiters waking each other", () -> {
            Ledger ledger = new Ledger();
            Coordinator<List<Integer>, Integer> coordinator = ledger.coordinator(CoordinatorConfig.defaults());
            Ticket<List<Integer>, Integer> holder = coordinator.announce();
            List<Thread> callers = new ArrayList<>();
            for (int caller = 1; caller <= 4; caller++) {
                callers.add(contributor("caller-" + caller, ledger, coordinator, caller));
            }
            Thread leaver = fork("leaver", holder::close);
            callers.add(leaver);
            join(callers.toArray(Thread[]::new));
            ledger.verify(coordinator, List.of(1, 2, 3, 4));
            if (!coordinator.close(DRAIN)) {
                throw new AssertionError("close did not drain: " + coordinator.stats());
            }
        });
    }

    @Test
    void waitersThatTimeOutOrAreInterruptedLeaveTheirContributionToBeCommittedOnce() {
        ModelCheck.explore("timed out / interrupted waiters", () -> {
            Ledger ledger = new Ledger();
            Coordinator<List<Integer>, Integer> coordinator = ledger.coordinator(CoordinatorConfig.defaults());
            Ticket<List<Integer>, Integer> holder = coordinator.announce(); // keeps the batch open
            Thread timed = fork("timed", () -> ledger.record(1,
                    () -> coordinator.contribute((items, round) -> items.add(1), Duration.ofMillis(1))));
            Thread patient = fork("patient", () -> ledger.record(2,
                    () -> coordinator.contribute((items, round) -> items.add(2))));
            Thread interrupted = fork("interrupted", () -> ledger.record(3,
                    () -> coordinator.contribute((items, round) -> items.add(3))));
            Thread interrupter = fork("interrupter", interrupted::interrupt);
            Thread leaver = fork("leaver", holder::close);
            join(timed, patient, interrupted, interrupter, leaver);
            if (!coordinator.close(DRAIN)) {
                throw new AssertionError("close did not drain: " + coordinator.stats());
            }
            ledger.verify(coordinator, List.of(1, 2, 3));
        });
    }
}
