package dev.batcher.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import dev.batcher.BufferFullException;
import dev.batcher.DropReason;
import dev.batcher.FullBehavior;
import dev.batcher.limit.ProvisionedCapacity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** go-batcher's Enqueue: its checks in order, the full buffer, and enqueue around start and stop. */
class EnqueueTest {

    @RegisterExtension
    final TestBatchers batchers = new TestBatchers();

    private final TestBatchers.Batches<String> sink = new TestBatchers.Batches<>();

    @Test
    void checksRunInGoBatchersOrderEachWithItsOwnException() {
        Batcher batcher = batchers.create("checks",
                batchers.options().capacityLimiter(new ProvisionedCapacity(100)).build());
        Watcher<String> once = Watcher.<String>of(ops -> { }).withMaxAttempts(1);

        assertThatExceptionOfType(NoOperationException.class).isThrownBy(() -> batcher.enqueue(null))
                .withMessageContaining("'checks'").withMessageContaining("null");
        // No watcher is reported before the cost: this one is also too expensive.
        assertThatExceptionOfType(NoWatcherException.class)
                .isThrownBy(() -> batcher.enqueue(new Operation<>(null, 500, "orphan", true)))
                .withMessageContaining("no watcher");
        // Too expensive is reported before too many attempts.
        Operation<String> expensiveAndTried = Operation.of(once, 500, "big");
        expensiveAndTried.makeAttempt();
        assertThatExceptionOfType(TooExpensiveException.class).isThrownBy(() -> batcher.enqueue(expensiveAndTried))
                .withMessageContaining("cost 500").withMessageContaining("max capacity 100")
                .satisfies(ex -> assertThat(ex.getMaxCapacity()).isEqualTo(100));
        Operation<String> tried = Operation.of(once, 100, "tried");
        tried.makeAttempt();
        assertThatExceptionOfType(TooManyAttemptsException.class).isThrownBy(() -> batcher.enqueue(tried))
                .withMessageContaining("max-attempts=1");

        assertThat(batcher.stats().enqueued()).isZero();
        assertThat(batcher.neededCapacity()).isZero();
    }

    @Test
    void anOperationReEnqueuedByItsWatcherIsRefusedOnceItHadItsMaxAttempts() {
        Batcher batcher = batchers.create("attempts", batchers.options().build());
        List<Integer> attemptsSeen = new CopyOnWriteArrayList<>();
        AtomicReference<RuntimeException> refusal = new AtomicReference<>();
        Watcher<String> retrying = Watcher.<String>of(ops -> ops.forEach(op -> {
            attemptsSeen.add(op.attempt());
            try {
                batcher.enqueue(op);
            }
            catch (RuntimeException ex) {
                refusal.set(ex);
            }
        })).withMaxAttempts(3).withMaxBatchSize(1);
        batcher.start();

        batcher.enqueue(Operation.of(retrying, 1, "x"));

        await().until(() -> refusal.get() != null);
        assertThat(refusal.get()).isInstanceOf(TooManyAttemptsException.class);
        assertThat(attemptsSeen).containsExactly(1, 2, 3);
        assertThat(batcher.stats().processed()).isEqualTo(3);
    }

    @Test
    void operationsEnqueuedBeforeStartWaitForIt() {
        Batcher batcher = batchers.create("early", batchers.options().build());
        Watcher<String> one = sink.watcher.withMaxBatchSize(1);
        batcher.enqueue(Operation.of(one, 4, "a"));
        batchers.clock.advance(Duration.ofSeconds(1));
        assertThat(sink.batches).isEmpty();
        assertThat(batcher.operationsInBuffer()).isEqualTo(1);
        assertThat(batcher.neededCapacity()).isEqualTo(4);

        batcher.start();

        await().until(() -> sink.batches.size() == 1);
        await().until(() -> batcher.neededCapacity() == 0);
    }

    @Test
    void aFullBufferFailsAtOnceWhenConfiguredAndTheRefusedCostIsNotNeeded() {
        Batcher batcher = batchers.create("reject", batchers.options().bufferMaxItems(2)
                .fullBehavior(FullBehavior.REJECT).build());
        batcher.enqueue(Operation.of(sink.watcher, 5, "a"));
        batcher.enqueue(Operation.of(sink.watcher, 5, "b"));

        assertThatExceptionOfType(BufferFullException.class)
                .isThrownBy(() -> batcher.enqueue(Operation.of(sink.watcher, 5, "c")))
                .withMessageContaining("Batcher 'reject'").withMessageContaining("buffer.max-items=2")
                .withMessageContaining("reject");

        assertThat(batcher.neededCapacity()).isEqualTo(10);
        BatcherStats stats = batcher.stats();
        assertThat(stats.enqueued()).isEqualTo(3);
        assertThat(stats.dropped(DropReason.BUFFER_FULL)).isEqualTo(1);
        assertThat(stats.isBalanced()).isTrue();
    }

    @Test
    void aFullBufferBlocksEnqueueUntilThereIsRoom() throws Exception {
        Batcher batcher = batchers.create("block", batchers.options().bufferMaxItems(1).build());
        Watcher<String> one = sink.watcher.withMaxBatchSize(1);
        batcher.enqueue(Operation.of(one, 1, "a"));
        Thread producer = new Thread(() -> batcher.enqueue(Operation.of(one, 1, "b")));
        producer.start();
        await().until(() -> producer.getState() == Thread.State.TIMED_WAITING);
        assertThat(batcher.stats().enqueued()).isEqualTo(1);

        batcher.start();

        producer.join(5_000);
        assertThat(producer.isAlive()).isFalse();
        await().until(() -> sink.batches.size() == 2);
        assertThat(sink.batches).containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void aSecondStartOrAStartAfterCloseIsRefused() {
        Batcher batcher = batchers.create("twice", batchers.options().build());
        batcher.start();
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(batcher::start)
                .withMessageContaining("'twice' is already started");

        Batcher closed = batchers.create("closed", batchers.options().build());
        closed.close();
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(closed::start)
                .withMessageContaining("cannot be started again");
        assertThatExceptionOfType(IllegalStateException.class)
                .isThrownBy(() -> closed.enqueue(Operation.of(sink.watcher, 1, "late")))
                .withMessageContaining("closed");
        assertThat(closed.neededCapacity()).isZero();
    }
}
