package dev.batcher.coordinate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** nikandfor/batch's scenarios: what the callers of one coordinator see. */
class CoordinatorTest {

    private final Callers callers = new Callers();

    @AfterEach
    void stopCallers() throws InterruptedException {
        callers.close();
    }

    /** Results of the commits, in order; the committer returns a new object per commit. */
    private final List<Object> results = new CopyOnWriteArrayList<>();
    private final List<List<Integer>> committed = new CopyOnWriteArrayList<>();
    private final List<String> committerThreads = new CopyOnWriteArrayList<>();

    private Coordinator<List<Integer>, Object> listCoordinator(CoordinatorConfig config) {
        return Coordinator.create("test", config, ArrayList::new, (items, coach) -> {
            committed.add(List.copyOf(items));
            committerThreads.add(Thread.currentThread().getName() + "#" + Thread.currentThread().getId());
            Object result = new Object();
            results.add(result);
            return result;
        });
    }

    private static String me() {
        return Thread.currentThread().getName() + "#" + Thread.currentThread().getId();
    }

    @Test
    void everyContributorOfABatchGetsTheSameResultFromOneCommitOnAContributorsThread() {
        Coordinator<List<Integer>, Object> coordinator = listCoordinator(CoordinatorConfig.defaults());
        List<Ticket<List<Integer>, Object>> tickets = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tickets.add(coordinator.announce());
        }
        Set<String> contributorThreads = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<Object>> outcomes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int item = i;
            Ticket<List<Integer>, Object> ticket = tickets.get(i);
            outcomes.add(callers.run(() -> {
                contributorThreads.add(me());
                return ticket.contribute((items, round) -> items.add(item));
            }));
        }

        List<Object> got = outcomes.stream().map(CompletableFuture::join).toList();

        assertThat(results).hasSize(1);
        assertThat(got).allSatisfy(result -> assertThat(result).isSameAs(results.get(0)));
        assertThat(committed.get(0)).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        assertThat(contributorThreads).contains(committerThreads.get(0));
        assertThat(coordinator.stats().contributorsPerCommit()).isEqualTo(5.0);
    }

    @Test
    void theFirstContributorOfEachBatchSeesAFreshState() {
        List<Boolean> firsts = new CopyOnWriteArrayList<>();
        List<Integer> sizesSeen = new CopyOnWriteArrayList<>();
        Coordinator<List<Integer>, Object> coordinator = listCoordinator(CoordinatorConfig.defaults());

        for (int i = 0; i < 3; i++) {
            int item = i;
            coordinator.contribute((items, round) -> {
                firsts.add(round.isFirst());
                sizesSeen.add(items.size());
                items.add(item);
            });
        }

        assertThat(firsts).containsExactly(true, true, true);
        assertThat(sizesSeen).containsExactly(0, 0, 0);
        assertThat(committed).containsExactly(List.of(0), List.of(1), List.of(2));
    }

    @Test
    void fiveCallersTimesFiveContributionsSumToFifty() {
        AtomicLong total = new AtomicLong();
        Coordinator<AtomicLong, Long> coordinator = Coordinator.create("sum", CoordinatorConfig.defaults(),
                AtomicLong::new, (sum, coach) -> total.addAndGet(sum.get()));
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int w = 0; w < 5; w++) {
            workers.add(callers.run(() -> {
                for (int j = 0; j < 5; j++) {
                    long after = coordinator.contribute((sum, round) -> sum.addAndGet(2));
                    assertThat(after).isPositive().isLessThanOrEqualTo(50);
                }
                return null;
            }));
        }
        workers.forEach(CompletableFuture::join);

        assertThat(total).hasValue(50);
        assertThat(coordinator.stats().contributions()).isEqualTo(25);
        assertThat(coordinator.stats().committedContributions()).isEqualTo(25);
    }

    @Test
    void anAnnouncedCallerIsWaitedForAndJoinsTheBatch() {
        Coordinator<List<Integer>, Object> coordinator = listCoordinator(CoordinatorConfig.defaults());
        Ticket<List<Integer>, Object> late = coordinator.announce();
        CompletableFuture<Object> early = callers.run(() -> coordinator.contribute((items, round) -> items.add(1)));

        await().until(() -> coordinator.stats().open() == 1);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !early.isDone());
        Object lateResult = late.contribute((items, round) -> items.add(2));

        assertThat(early.join()).isSameAs(lateResult);
        assertThat(committed).containsExactly(List.of(1, 2));
    }

    @Test
    void aTicketClosedWithoutContributingLeavesAndTheBatchCommitsWithoutIt() {
        Coordinator<List<Integer>, Object> coordinator = listCoordinator(CoordinatorConfig.defaults());
        CompletableFuture<Object> contributor;
        try (Ticket<List<Integer>, Object> leaving = coordinator.announce()) {
            contributor = callers.run(() -> coordinator.contribute((items, round) -> items.add(1)));
            await().until(() -> coordinator.stats().open() == 1);
            assertThat(contributor).isNotDone();
        }

        assertThat(contributor.join()).isSameAs(results.get(0));
        assertThat(committed).containsExactly(List.of(1));
        assertThat(coordinator.stats().announced()).isZero();
    }

    @Test
    void aTriggerCommitsAtOnceWithoutWaitingForAnnouncedCallers() {
        Coordinator<List<Integer>, Object> coordinator = listCoordinator(CoordinatorConfig.defaults());
        try (Ticket<List<Integer>, Object> slow = coordinator.announce()) {
            CompletableFuture<Object> waiting = callers.run(() -> coordinator.contribute((items, round) -> items.add(1)));
            await().until(() -> coordinator.stats().open() == 1);

            Object urgent = coordinator.contribute((items, round) -> {
                items.add(2);
                round.trigger();
            });

            assertThat(waiting.join()).isSameAs(urgent);
            assertThat(committed).containsExactly(List.of(1, 2));
            Object next = slow.contribute((items, round) -> items.add(3));
            assertThat(next).isNotSameAs(urgent);
            assertThat(committed).containsExactly(List.of(1, 2), List.of(3));
        }
    }

    @Test
    void aContributionThatDoesNotFitTriggersTheBatchAndRunsAgainInTheNextOne() {
        Coordinator<List<Integer>, Object> coordinator = listCoordinator(CoordinatorConfig.defaults());
        List<Ticket<List<Integer>, Object>> tickets = List.of(coordinator.announce(), coordinator.announce(),
                coordinator.announce());
        Contribution<List<Integer>> addUpToTwo = (items, round) -> {
            if (items.size() == 2) {
                round.retryInNextBatch();
                return;
            }
            items.add(round.index());
        };
        List<CompletableFuture<Object>> outcomes = new ArrayList<>();
        for (Ticket<List<Integer>, Object> ticket : tickets) {
            outcomes.add(callers.run(() -> ticket.contribute(addUpToTwo)));
        }
        outcomes.forEach(CompletableFuture::join);

        assertThat(committed).extracting(List::size).containsExactly(2, 1);
        assertThat(outcomes.stream().map(CompletableFuture::join).distinct().count()).isEqualTo(2);
        assertThat(coordinator.stats().contributions()).isEqualTo(3);
    }

    @Test
    void retryInNextBatchFromTheFirstContributionIsRefused() {
        Coordinator<List<Integer>, Object> coordinator = listCoordinator(CoordinatorConfig.defaults());

        assertThatThrownBy(() -> coordinator.contribute((items, round) -> round.retryInNextBatch()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not fit even an empty batch");
        assertThat(committed).isEmpty();
    }

    @Test
    void aCancelSkipsTheCommitAndEveryContributorGetsTheCancellation() {
        Coordinator<List<Integer>, Object> coordinator = listCoordinator(CoordinatorConfig.defaults());
        Ticket<List<Integer>, Object> canceller = coordinator.announce();
        List<CompletableFuture<Object>> others = List.of(
                callers.run(() -> coordinator.contribute((items, round) -> items.add(1))),
                callers.run(() -> coordinator.contribute((items, round) -> items.add(2))));
        await().until(() -> coordinator.stats().open() == 2);
        IllegalStateException cause = new IllegalStateException("the state is spoilt");

        assertThatExceptionOfType(BatchCancelledException.class)
                .isThrownBy(() -> canceller.contribute((items, round) -> round.cancel(cause)))
                .withCause(cause);
        for (CompletableFuture<Object> other : others) {
            assertThatThrownBy(other::join).isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(BatchCancelledException.class).cause().isSameAs(cause);
        }
        assertThat(committed).isEmpty();
        assertThat(coordinator.stats().cancelledBatches()).isEqualTo(1);
        assertThat(coordinator.contribute((items, round) -> items.add(3))).isSameAs(results.get(0));
    }

    @Test
    void aContributionThatThrowsAbortsTheBatchTheThrowerGetsItsOwnExceptionTheOthersAnAbort() {
        Coordinator<List<Integer>, Object> coordinator = listCoordinator(CoordinatorConfig.defaults());
        Ticket<List<Integer>, Object> thrower = coordinator.announce();
        CompletableFuture<Object> other = callers.run(() -> coordinator.contribute((items, round) -> items.add(1)));
        await().until(() -> coordinator.stats().open() == 1);
        UnsupportedOperationException failure = new UnsupportedOperationException("a library failed");

        assertThatThrownBy(() -> thrower.contribute((items, round) -> {
            items.add(2);
            throw failure;
        })).isSameAs(failure);
        assertThatThrownBy(other::join).cause().isInstanceOf(BatchAbortedException.class).cause().isSameAs(failure);
        assertThat(committed).isEmpty();
        assertThat(coordinator.stats().abortedBatches()).isEqualTo(1);
    }

    @Test
    void aCommitThatThrowsFailsEveryContributorWithTheSameCause() {
        IllegalStateException dbDown = new IllegalStateException("database down");
        Coordinator<List<Integer>, Object> coordinator = Coordinator.create("failing", CoordinatorConfig.defaults(),
                ArrayList::new, (items, coach) -> {
                    throw dbDown;
                });
        Ticket<List<Integer>, Object> last = coordinator.announce();
        CompletableFuture<Object> first = callers.run(() -> coordinator.contribute((items, round) -> items.add(1)));
        await().until(() -> coordinator.stats().open() == 1);

        assertThatExceptionOfType(CommitFailedException.class)
                .isThrownBy(() -> last.contribute((items, round) -> items.add(2))).withCause(dbDown);
        assertThatThrownBy(first::join).cause().isInstanceOf(CommitFailedException.class).cause().isSameAs(dbDown);
        assertThat(coordinator.stats().failedCommits()).isEqualTo(1);
    }

    @Test
    void aTryReturnsRefusedAtOnceWhileACommitIsInProgressAndEntersAfterwards() throws Exception {
        CountDownLatch inCommit = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger commits = new AtomicInteger();
        Coordinator<List<Integer>, Integer> coordinator = Coordinator.create("try", CoordinatorConfig.defaults(),
                ArrayList::new, (items, coach) -> {
                    inCommit.countDown();
                    release.await();
                    return commits.incrementAndGet();
                });
        CompletableFuture<Integer> committing = callers.run(() -> coordinator.contribute((items, round) -> items.add(1)));
        assertThat(inCommit.await(10, TimeUnit.SECONDS)).isTrue();
        AtomicReference<Boolean> ran = new AtomicReference<>(false);

        Attempt<Integer> refused = coordinator.tryContribute((items, round) -> ran.set(true));

        assertThat(refused.refused()).isTrue();
        assertThat(ran.get()).isFalse();
        assertThat(coordinator.stats().refusedTries()).isEqualTo(1);
        release.countDown();
        assertThat(committing.join()).isEqualTo(1);
        Attempt<Integer> entered = coordinator.tryContribute((items, round) -> items.add(2));
        assertThat(entered.entered()).isTrue();
        assertThat(entered.orElseThrow()).isEqualTo(2);
    }

    @Test
    void manyConcurrentCallersGiveFewCommitsAndEveryContributionIsCommittedExactlyOnce() {
        // A commit that costs what a small database write does (0.2 ms): callers arriving meanwhile queue up.
        Coordinator<List<Integer>, Object> coordinator = Coordinator.create("many", CoordinatorConfig.defaults(),
                ArrayList::new, (items, coach) -> {
                    LockSupport.parkNanos(200_000);
                    committed.add(List.copyOf(items));
                    Object result = new Object();
                    results.add(result);
                    return result;
                });
        int threads = 8;
        int each = 500;
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * each;
            workers.add(callers.run(() -> {
                for (int i = 0; i < each; i++) {
                    int item = base + i;
                    Object result = coordinator.contribute((items, round) -> items.add(item));
                    int index = results.indexOf(result);
                    assertThat(committed.get(index)).contains(item);
                }
                return null;
            }));
        }
        workers.forEach(CompletableFuture::join);

        List<Integer> all = committed.stream().flatMap(List::stream).sorted().toList();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < threads * each; i++) {
            expected.add(i);
        }
        assertThat(all).isEqualTo(expected);
        assertThat(committed.size()).isLessThan(threads * each / 2);
        assertThat(coordinator.stats().contributorsPerCommit()).isGreaterThan(2.0);
    }

    @Test
    void everyKindOfEndingInALoopFinishesWithoutDeadlockAndSettlesEveryCaller() {
        AtomicInteger commitCalls = new AtomicInteger();
        Coordinator<List<Integer>, Integer> coordinator = Coordinator.create("all-cases",
                CoordinatorConfig.builder().coaches(2).build(), ArrayList::new, (items, coach) -> {
                    if (items.contains(-1)) {
                        throw new IllegalStateException("commit fails");
                    }
                    commitCalls.incrementAndGet();
                    return items.size();
                });
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger left = new AtomicInteger();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            int worker = w;
            workers.add(callers.run(() -> {
                for (int i = 0; i < 300; i++) {
                    int kind = (worker * 7 + i * 13) % 7;
                    int item = i;
                    try (Ticket<List<Integer>, Integer> ticket = coordinator.announce()) {
                        if (kind == 0) {
                            left.incrementAndGet();
                            continue; // leave
                        }
                        ticket.contribute((items, round) -> {
                            switch (kind) {
                                case 1 -> round.cancel();
                                case 2 -> throw new IllegalArgumentException("contribution fails");
                                case 3 -> items.add(-1);
                                case 4 -> {
                                    items.add(item);
                                    round.trigger();
                                }
                                case 5 -> {
                                    if (items.size() >= 3) {
                                        round.retryInNextBatch();
                                    }
                                    else {
                                        items.add(item);
                                    }
                                }
                                default -> items.add(item);
                            }
                        });
                        ok.incrementAndGet();
                    }
                    catch (BatchCancelledException | BatchAbortedException | CommitFailedException
                            | IllegalArgumentException expected) {
                        failed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();

        CoordinatorStats stats = coordinator.stats();
        assertThat(ok.get() + failed.get() + left.get()).isEqualTo(6 * 300);
        assertThat(stats.contributions()).isEqualTo(ok.get() + failed.get());
        assertThat(stats.announced()).isZero();
        assertThat(stats.open()).isZero();
        assertThat(stats.committedContributions()).isEqualTo(ok.get());
        assertThat(commitCalls.get()).isEqualTo(stats.commits() - stats.failedCommits());
        assertThat(coordinator.close(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void aCallerTimingOutAfterContributingLeavesItsContributionInTheBatch() {
        Coordinator<List<Integer>, Object> coordinator = listCoordinator(CoordinatorConfig.defaults());
        Ticket<List<Integer>, Object> late = coordinator.announce();

        assertThatExceptionOfType(CommitWaitException.class)
                .isThrownBy(() -> coordinator.contribute((items, round) -> items.add(1), Duration.ofMillis(100)))
                .satisfies(ex -> {
                    assertThat(ex.timedOut()).isTrue();
                    assertThat(ex.contributed()).isTrue();
                });
        late.contribute((items, round) -> items.add(2));

        assertThat(committed).containsExactly(List.of(1, 2));
    }

    @Test
    void aCallerTimingOutAtTheEntranceMakesNoContribution() throws Exception {
        CountDownLatch inCommit = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Coordinator<List<Integer>, Object> coordinator = Coordinator.create("entrance", CoordinatorConfig.defaults(),
                ArrayList::new, (items, coach) -> {
                    committed.add(List.copyOf(items));
                    inCommit.countDown();
                    release.await();
                    return items.size();
                });
        CompletableFuture<Object> committing = callers.run(() -> coordinator.contribute((items, round) -> items.add(1)));
        assertThat(inCommit.await(10, TimeUnit.SECONDS)).isTrue();

        assertThatExceptionOfType(CommitWaitException.class)
                .isThrownBy(() -> coordinator.contribute((items, round) -> items.add(2), Duration.ofMillis(100)))
                .satisfies(ex -> assertThat(ex.contributed()).isFalse());
        release.countDown();
        committing.join();

        assertThat(coordinator.stats().announced()).isZero();
        assertThat(coordinator.contribute((items, round) -> items.add(3))).isEqualTo(1);
        assertThat(committed).containsExactly(List.of(1), List.of(3));
    }

    @Test
    void anInterruptedWaiterKeepsItsFlagAndItsContributionIsCommittedByTheOthers() throws Exception {
        Coordinator<List<Integer>, Object> coordinator = listCoordinator(CoordinatorConfig.defaults());
        Ticket<List<Integer>, Object> late = coordinator.announce();
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CompletableFuture<Boolean> flagKept = callers.run(() -> {
            waiter.set(Thread.currentThread());
            try {
                coordinator.contribute((items, round) -> items.add(1));
                return false;
            }
            catch (CommitWaitException ex) {
                return !ex.timedOut() && ex.contributed() && Thread.currentThread().isInterrupted();
            }
        });
        await().until(() -> coordinator.stats().open() == 1);

        waiter.get().interrupt();

        assertThat(flagKept.get(10, TimeUnit.SECONDS)).isTrue();
        late.contribute((items, round) -> items.add(2));
        assertThat(committed).containsExactly(List.of(1, 2));
    }

    @Test
    void aBatchWhoseContributorsAllStoppedWaitingIsCommittedByTheTicketThatLeaves() {
        Coordinator<List<Integer>, Object> coordinator = listCoordinator(CoordinatorConfig.defaults());
        Ticket<List<Integer>, Object> leaving = coordinator.announce();
        assertThatExceptionOfType(CommitWaitException.class)
                .isThrownBy(() -> coordinator.contribute((items, round) -> items.add(1), Duration.ofMillis(50)));

        leaving.close();

        assertThat(committed).containsExactly(List.of(1));
        assertThat(coordinator.stats().open()).isZero();
    }

    @Test
    void multiCoachesCommitInParallelAndTellTheCommitterTheirCoach() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> coachesCommitted = new CopyOnWriteArrayList<>();
        Coordinator<List<Integer>, Integer> coordinator = Coordinator.create("multi",
                CoordinatorConfig.builder().coaches(2).build(), ArrayList::new, (items, coach) -> {
                    coachesCommitted.add(coach);
                    if (items.contains(1)) {
                        release.await(); // coach 0 is busy
                    }
                    return coach;
                });
        CompletableFuture<Integer> first = callers.run(() -> coordinator.contribute((items, round) -> items.add(1)));
        await().until(() -> coachesCommitted.contains(0));

        int second = coordinator.contribute((items, round) -> items.add(2));

        assertThat(second).isEqualTo(1);
        assertThat(first).isNotDone();
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aCustomBalancerChoosesTheCoach() {
        List<List<Balancer.CoachState>> seen = new CopyOnWriteArrayList<>();
        Coordinator<List<Integer>, Integer> coordinator = Coordinator.create("balanced",
                CoordinatorConfig.builder().coaches(3).balancer(coaches -> {
                    seen.add(coaches);
                    return 2;
                }).build(), ArrayList::new, (items, coach) -> coach);

        assertThat(coordinator.contribute((items, round) -> assertThat(round.coach()).isEqualTo(2))).isEqualTo(2);
        assertThat(seen.get(0)).extracting(Balancer.CoachState::index).containsExactly(0, 1, 2);
    }

    @Test
    void aBalancerReturningAnUnknownCoachFailsTheCallerWithAClearMessage() {
        Coordinator<List<Integer>, Integer> coordinator = Coordinator.create("bad-balancer",
                CoordinatorConfig.builder().coaches(2).balancer(coaches -> 5).build(), ArrayList::new,
                (items, coach) -> coach);

        assertThatThrownBy(() -> coordinator.contribute((items, round) -> items.add(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("balancer of Coordinator 'bad-balancer' chose coach 5 of 2");
        assertThat(coordinator.stats().announced()).isZero();
    }

    @Test
    void aTicketContributesOnce() {
        Coordinator<List<Integer>, Object> coordinator = listCoordinator(CoordinatorConfig.defaults());
        Ticket<List<Integer>, Object> ticket = coordinator.announce();
        ticket.contribute((items, round) -> items.add(1));

        assertThatThrownBy(() -> ticket.contribute((items, round) -> items.add(2)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already used");
        assertThat(committed).containsExactly(List.of(1));
    }

    @Test
    void aRoundIsUsableOnlyInsideItsContribution() {
        Coordinator<List<Integer>, Object> coordinator = listCoordinator(CoordinatorConfig.defaults());
        AtomicReference<Round> kept = new AtomicReference<>();
        coordinator.contribute((items, round) -> kept.set(round));

        assertThatThrownBy(() -> kept.get().trigger()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only inside");
        assertThat(Collections.unmodifiableList(committed)).hasSize(1);
    }
}
