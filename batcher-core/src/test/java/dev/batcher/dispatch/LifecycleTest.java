package dev.batcher.dispatch;

import dev.batcher.DropReason;
import dev.batcher.ItemDroppedException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LifecycleTest {

    @Test
    void closeDrainsEverythingAndCallsDrainedExactlyOnce() {
        AtomicInteger drained = new AtomicInteger();
        RecordingSender<Integer> sender = new RecordingSender<>();
        Dispatcher<Integer> dispatcher = Dispatcher.create("drain", DispatcherConfig.<Integer>builder()
                .maxBatchAge(Duration.ofHours(1)).drainedCallback(drained::incrementAndGet).build(), sender);
        List<CompletableFuture<Void>> futures = IntStream.range(0, 1_050).mapToObj(dispatcher::submit).toList();

        assertThat(dispatcher.close(Duration.ofSeconds(10))).isTrue();
        assertThat(dispatcher.close(Duration.ofSeconds(10))).isTrue();
        dispatcher.close();
        dispatcher.shutdownNow();

        assertThat(drained).hasValue(1);
        assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(sender.items()).hasSize(1_050);
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.drained()).isTrue();
        assertThat(stats.submitted()).isEqualTo(stats.sent()).isEqualTo(1_050);
        assertThat(dispatcher.isDrained()).isTrue();
    }

    @Test
    void submitAfterCloseFailsNamingTheDispatcher() {
        Dispatcher<Integer> dispatcher = Dispatcher.create("closed", DispatcherConfig.defaults(), batch -> { });
        dispatcher.close();
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> dispatcher.submit(1))
                .withMessage("Dispatcher 'closed' is closed and accepts no more items");
        assertThat(dispatcher.isClosed()).isTrue();
    }

    @Test
    void closeDropsWhatIsLeftAtTheTimeoutAsShutdown() {
        CountDownLatch never = new CountDownLatch(1);
        List<DropReason> reasons = new CopyOnWriteArrayList<>();
        AtomicInteger droppedItems = new AtomicInteger();
        AtomicInteger drained = new AtomicInteger();
        Dispatcher<Integer> dispatcher = Dispatcher.create("slow", DispatcherConfig.<Integer>builder()
                .maxConcurrentSends(1).maxBatchItems(10).drainedCallback(drained::incrementAndGet)
                .dropHandler((items, reason, cause) -> {
                    reasons.add(reason);
                    droppedItems.addAndGet(items.size());
                }).build(), batch -> never.await());
        List<CompletableFuture<Void>> futures = IntStream.range(0, 35).mapToObj(dispatcher::submit).toList();

        assertThat(dispatcher.close(Duration.ofMillis(100))).isFalse();

        assertThat(reasons).containsOnly(DropReason.SHUTDOWN);
        assertThat(droppedItems).hasValue(35);
        assertThat(futures).allMatch(CompletableFuture::isCompletedExceptionally);
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.dropped(DropReason.SHUTDOWN)).isEqualTo(35);
        assertThat(stats.submitted()).isEqualTo(stats.sent() + stats.dropped());
        assertThat(drained).hasValue(1);
    }

    @Test
    void shutdownNowCancelsBufferedAndRunningBatches() {
        CountDownLatch never = new CountDownLatch(1);
        List<Boolean> interrupted = new CopyOnWriteArrayList<>();
        Dispatcher<Integer> dispatcher = Dispatcher.create("cancel", DispatcherConfig.<Integer>builder()
                .maxConcurrentSends(1).maxBatchItems(5).build(), batch -> {
                    try {
                        never.await();
                    }
                    catch (InterruptedException ex) {
                        interrupted.add(true);
                        throw ex;
                    }
                });
        List<CompletableFuture<Void>> futures = IntStream.range(0, 12).mapToObj(dispatcher::submit).toList();
        await().until(() -> dispatcher.stats().inFlightBatches() == 1);

        dispatcher.shutdownNow();

        assertThat(futures).allSatisfy(f -> assertThat(f).failsWithin(Duration.ofSeconds(1)).withThrowableThat()
                .havingCause().isInstanceOfSatisfying(ItemDroppedException.class,
                        e -> assertThat(e.getReason()).isEqualTo(DropReason.CANCELLED)));
        await().until(() -> interrupted.size() == 1);
        DispatcherStats stats = dispatcher.stats();
        assertThat(stats.dropped(DropReason.CANCELLED)).isEqualTo(12);
        assertThat(stats.isBalanced()).isTrue();
        assertThat(dispatcher.isDrained()).isTrue();
    }

    @Test
    void anIdleDispatcherUsesNoCpuAndNamesItsThreads() {
        Dispatcher<Integer> dispatcher = Dispatcher.create("idle", DispatcherConfig.defaults(), batch -> { });
        dispatcher.enqueue(1);
        await().until(() -> dispatcher.stats().sent() == 1);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        await().until(() -> threadsNamed("batcher-idle-").length == 6 && Arrays.stream(threadsNamed("batcher-idle-"))
                .allMatch(t -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING));
        Thread[] mine = threadsNamed("batcher-idle-");
        assertThat(Arrays.stream(mine).map(Thread::getName))
                .containsExactlyInAnyOrder("batcher-idle-timer", "batcher-idle-callbacks",
                        "batcher-idle-send-1", "batcher-idle-send-2", "batcher-idle-send-3", "batcher-idle-send-4");
        long before = Arrays.stream(mine).mapToLong(t -> threads.getThreadCpuTime(t.getId())).sum();
        long wallStart = System.nanoTime();
        await().pollDelay(Duration.ofMillis(500)).until(() -> System.nanoTime() - wallStart >= 500_000_000L);
        long after = Arrays.stream(mine).mapToLong(t -> threads.getThreadCpuTime(t.getId())).sum();
        // Parked threads do not run: allow only scheduler noise, far below one busy-wait loop's 500 ms.
        assertThat(after - before).isLessThan(5_000_000L);
        assertThat(Arrays.stream(mine).allMatch(Thread::isDaemon)).isTrue();
        dispatcher.close();
        await().until(() -> threadsNamed("batcher-idle-").length == 0);
    }

    private static Thread[] threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix))
                .toArray(Thread[]::new);
    }
}
