package dev.batcher.coordinate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.batcher.InvalidOptionException;
import dev.batcher.Registry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared engine contract, stats, commit events and configuration of a Coordinator. */
class CoordinatorEngineTest {

    private final Callers callers = new Callers();
    private final List<List<Integer>> committed = new CopyOnWriteArrayList<>();
    private final Coordinator<List<Integer>, Integer> coordinator = Coordinator.create("audit",
            CoordinatorConfig.defaults(), ArrayList::new, (items, coach) -> {
                committed.add(List.copyOf(items));
                return committed.size();
            });

    @AfterEach
    void stop() throws InterruptedException {
        coordinator.shutdownNow();
        callers.close();
    }

    /** A caller waiting in the open batch because a ticket is announced. */
    private CompletableFuture<Integer> waitingContributor(int item) {
        CompletableFuture<Integer> waiting = callers.run(() -> coordinator.contribute((items, round) -> items.add(item)));
        await().until(() -> coordinator.stats().open() >= 1);
        return waiting;
    }

    @Test
    void flushCommitsTheOpenBatchWithoutWaitingForAnnouncedCallers() {
        Ticket<List<Integer>, Integer> announced = coordinator.announce();
        CompletableFuture<Integer> waiting = waitingContributor(1);

        CompletableFuture<Void> flushed = coordinator.flush();

        assertThat(waiting.join()).isEqualTo(1);
        await().until(flushed::isDone);
        assertThat(committed).containsExactly(List.of(1));
        announced.close();
    }

    @Test
    void flushWithNothingOpenIsDoneAtOnce() {
        assertThat(coordinator.flush()).isDone();
    }

    @Test
    void pauseHoldsCommitsWhileContributionsKeepJoiningAndResumeReleasesThem() {
        coordinator.pause();
        CompletableFuture<Integer> first = waitingContributor(1);
        CompletableFuture<Integer> second = callers.run(() -> coordinator.contribute((items, round) -> items.add(2)));
        await().until(() -> coordinator.stats().open() == 2);
        assertThat(coordinator.stats().paused()).isTrue();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> committed.isEmpty());

        coordinator.resume();

        assertThat(first.join()).isEqualTo(second.join());
        assertThat(committed).containsExactly(List.of(1, 2));
    }

    @Test
    void closeRefusesNewContributionsAndLetsTheOpenBatchFinish() {
        Ticket<List<Integer>, Integer> announced = coordinator.announce();
        CompletableFuture<Integer> waiting = waitingContributor(1);

        assertThat(coordinator.close(Duration.ofSeconds(5))).isTrue();

        assertThat(waiting.join()).isEqualTo(1);
        assertThat(coordinator.isClosed()).isTrue();
        assertThat(coordinator.isDrained()).isTrue();
        assertThatExceptionOfType(CoordinatorClosedException.class)
                .isThrownBy(() -> coordinator.contribute((items, round) -> items.add(2)))
                .withMessageContaining("Coordinator 'audit' is closed");
        assertThatExceptionOfType(CoordinatorClosedException.class)
                .isThrownBy(() -> announced.contribute((items, round) -> items.add(3)));
        assertThatExceptionOfType(CoordinatorClosedException.class).isThrownBy(coordinator::announce);
        assertThatThrownBy(coordinator::pause).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closing or closed");
        assertThat(committed).containsExactly(List.of(1));
    }

    @Test
    void closeWaitsForARunningCommitAndTimesOutWhileItRuns() throws Exception {
        CountDownLatch inCommit = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Coordinator<List<Integer>, Integer> slow = Coordinator.create("slow", CoordinatorConfig.defaults(),
                ArrayList::new, (items, coach) -> {
                    inCommit.countDown();
                    release.await();
                    return items.size();
                });
        CompletableFuture<Integer> committing = callers.run(() -> slow.contribute((items, round) -> items.add(1)));
        assertThat(inCommit.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(slow.close(Duration.ofMillis(100))).isFalse();
        assertThat(slow.isDrained()).isFalse();
        release.countDown();

        assertThat(committing.join()).isEqualTo(1);
        assertThat(slow.close(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void shutdownNowCancelsTheOpenBatch() {
        Ticket<List<Integer>, Integer> announced = coordinator.announce();
        CompletableFuture<Integer> waiting = waitingContributor(1);

        coordinator.shutdownNow();

        assertThatThrownBy(waiting::join).cause().isInstanceOf(BatchCancelledException.class)
                .cause().isInstanceOf(CoordinatorClosedException.class);
        assertThat(committed).isEmpty();
        assertThat(coordinator.isDrained()).isTrue();
        assertThat(coordinator.stats().cancelledBatches()).isEqualTo(1);
        announced.close();
    }

    @Test
    void statsCountCommitsContributorsAndEveryKindOfEnding() {
        coordinator.contribute((items, round) -> items.add(1));
        Ticket<List<Integer>, Integer> second = coordinator.announce();
        CompletableFuture<Integer> waiting = waitingContributor(2);
        second.contribute((items, round) -> items.add(3));
        waiting.join();
        assertThatThrownBy(() -> coordinator.contribute((items, round) -> round.cancel()))
                .isInstanceOf(BatchCancelledException.class);
        assertThatThrownBy(() -> coordinator.contribute((items, round) -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");

        CoordinatorStats stats = coordinator.stats();

        assertThat(stats.commits()).isEqualTo(2);
        assertThat(stats.contributions()).isEqualTo(5);
        assertThat(stats.committedContributions()).isEqualTo(3);
        assertThat(stats.contributorsPerCommit()).isEqualTo(1.5);
        assertThat(stats.lastCommitContributors()).isEqualTo(2);
        assertThat(stats.lastCommitDuration()).isPositive();
        assertThat(stats.cancelledBatches()).isEqualTo(1);
        assertThat(stats.abortedBatches()).isEqualTo(1);
        assertThat(stats.failedCommits()).isZero();
        assertThat(stats.open()).isZero();
        assertThat(stats.announced()).isZero();
    }

    @Test
    void listenersGetACommitEventPerBatchOffTheCallersThreadAndASlowOneBlocksNoCommit() throws Exception {
        CountDownLatch slowListener = new CountDownLatch(1);
        List<CommitEvent> events = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        IllegalStateException failure = new IllegalStateException("disk full");
        Coordinator<List<Integer>, Integer> failing = Coordinator.create("events", CoordinatorConfig.defaults(),
                ArrayList::new, (items, coach) -> {
                    if (items.contains(3)) {
                        throw failure;
                    }
                    return items.size();
                });
        failing.addListener(event -> {
            await().atMost(Duration.ofSeconds(30)).until(() -> slowListener.getCount() == 0);
            threads.add(Thread.currentThread().getName());
            events.add(event);
        });

        failing.contribute((items, round) -> items.add(1));
        failing.contribute((items, round) -> items.add(2));
        assertThatThrownBy(() -> failing.contribute((items, round) -> items.add(3)))
                .isInstanceOf(CommitFailedException.class);
        assertThat(events).isEmpty();
        slowListener.countDown();
        failing.close(Duration.ofSeconds(5));

        await().until(() -> events.size() == 4);
        assertThat(events).extracting(CommitEvent::outcome).containsExactly(CommitEvent.Outcome.COMMITTED,
                CommitEvent.Outcome.COMMITTED, CommitEvent.Outcome.FAILED, CommitEvent.Outcome.CLOSED);
        assertThat(events.get(0).contributors()).isEqualTo(1);
        assertThat(events.get(0).duration()).isPositive();
        assertThat(events.get(0).coordinator()).isEqualTo("events");
        assertThat(events.get(2).error()).isSameAs(failure);
        assertThat(threads).containsOnly("batcher-events-events");
    }

    @Test
    void aRegistryHoldsCoordinatorsAndClosesThemAll() {
        Registry<CoordinatorConfig, Coordinator<List<Integer>, Integer>> registry =
                Registry.withDefaults(CoordinatorConfig.builder().coaches(2).build());
        Coordinator<List<Integer>, Integer> audit = registry.instance("audit",
                (name, config) -> Coordinator.create(name, config, ArrayList::new, (items, coach) -> items.size()));

        assertThat(audit.config().coaches()).isEqualTo(2);
        assertThat(audit.contribute((items, round) -> items.add(1))).isEqualTo(1);
        assertThat(registry.find("audit")).containsSame(audit);
        assertThat(registry.closeAll(Duration.ofSeconds(5))).isTrue();
        assertThat(audit.isDrained()).isTrue();
    }

    @Test
    void invalidOptionsNameThePropertyKey() {
        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(() -> CoordinatorConfig.builder().coaches(0).build())
                .satisfies(ex -> assertThat(ex.getOption()).isEqualTo("coaches"))
                .withMessageContaining("coaches=0").withMessageContaining("between 1 and 1024");
        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(() -> CoordinatorConfig.builder().drainTimeout(Duration.ofSeconds(-1)).build())
                .satisfies(ex -> assertThat(ex.getOption()).isEqualTo("drain-timeout"));
        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(() -> CoordinatorConfig.builder().balancer(null).build())
                .satisfies(ex -> assertThat(ex.getOption()).isEqualTo("balancer"));
        CoordinatorConfig base = CoordinatorConfig.builder().coaches(3).build();
        assertThat(CoordinatorConfig.from(base).drainTimeout(Duration.ofSeconds(1)).build().coaches()).isEqualTo(3);
    }

    @Test
    void contributingFromInsideAContributionFailsClearly() {
        assertThatThrownBy(() -> coordinator.contribute((items, round) -> coordinator.contribute((i, r) -> i.add(2))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("from inside a contribution");
    }
}
