package dev.batcher.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.DropReason;
import dev.batcher.SendTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The needed capacity: up on enqueue, down when a batch is done or its max operation time passes; the audit. */
class NeededCapacityTest {

    @RegisterExtension
    final TestBatchers batchers = new TestBatchers();

    private final List<DropReason> dropReasons = new CopyOnWriteArrayList<>();
    private final List<Throwable> dropCauses = new CopyOnWriteArrayList<>();

    private BatcherConfig.Builder options() {
        return batchers.options().dropHandler((ops, reason, cause) -> {
            dropReasons.add(reason);
            dropCauses.add(cause);
        });
    }

    /** A watcher that blocks until interrupted, recording that it was. */
    private static final class Hanging {

        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicBoolean interrupted = new AtomicBoolean();
        final Watcher<String> watcher = Watcher.of(ops -> {
            entered.countDown();
            try {
                new CountDownLatch(1).await();
            }
            catch (InterruptedException ex) {
                interrupted.set(true);
            }
        });
    }

    @Test
    void theMaxOperationTimeReleasesTheCapacityOfABatchThatDoesNotReturn() throws Exception {
        Batcher batcher = batchers.create("mot", options().maxOperationTime(Duration.ofSeconds(1)).build());
        Hanging hanging = new Hanging();
        batcher.start();
        batcher.enqueue(Operation.single(hanging.watcher, 7, "stuck"));
        assertThat(hanging.entered.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(batcher.neededCapacity()).isEqualTo(7);

        batchers.clock.advance(Duration.ofMillis(999));
        assertThat(batcher.neededCapacity()).isEqualTo(7);
        batchers.clock.advance(Duration.ofMillis(1));

        await().until(() -> batcher.neededCapacity() == 0);
        await().until(hanging.interrupted::get);
        await().until(() -> dropReasons.size() == 1);
        assertThat(dropReasons).containsExactly(DropReason.NOT_RETRYABLE);
        assertThat(dropCauses.get(0)).isInstanceOf(SendTimeoutException.class);
        assertThat(batcher.stats().timedOutBatches()).isEqualTo(1);
    }

    @Test
    void aWatchersMaxOperationTimeOverridesTheBatchersEvenWhileALongerOneRuns() throws Exception {
        Batcher batcher = batchers.create("override", options().build());
        Hanging patient = new Hanging();
        Hanging quick = new Hanging();
        Watcher<String> quickWatcher = quick.watcher.withMaxOperationTime(Duration.ofSeconds(1));
        batcher.start();
        batcher.enqueue(Operation.single(patient.watcher, 100, "one minute"));
        assertThat(patient.entered.await(5, TimeUnit.SECONDS)).isTrue();
        batcher.enqueue(Operation.single(quickWatcher, 5, "one second"));
        assertThat(quick.entered.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(batcher.neededCapacity()).isEqualTo(105);

        batchers.clock.advance(Duration.ofSeconds(1));

        await().until(() -> batcher.neededCapacity() == 100);
        assertThat(quick.interrupted).isTrue();
        assertThat(patient.interrupted).isFalse();
        batchers.clock.advance(Duration.ofSeconds(59));
        await().until(() -> batcher.neededCapacity() == 0);
    }

    @Test
    void theAuditSkipsWhileWorkIsRecentOrOutstandingAndPassesWhenTheCapacityIsZero() {
        Batcher batcher = batchers.create("audit", options().auditInterval(Duration.ofSeconds(1))
                .maxOperationTime(Duration.ofSeconds(2)).build());
        TestBatchers.Recorder events = new TestBatchers.Recorder();
        batcher.addListener(events);
        TestBatchers.Batches<String> sink = new TestBatchers.Batches<>();
        batcher.start();
        batcher.enqueue(Operation.single(sink.watcher, 3, "x"));
        await().until(() -> batcher.neededCapacity() == 0);

        batchers.clock.advance(Duration.ofSeconds(1)); // dispatched 1 s ago: skip
        batchers.clock.advance(Duration.ofSeconds(1)); // 2 s ago, not more than max-operation-time: skip
        batchers.clock.advance(Duration.ofSeconds(1)); // 3 s ago, nothing outstanding, capacity 0: pass

        await().until(() -> events.names("audit").size() == 3);
        assertThat(events.names("audit")).containsExactly("audit-skip", "audit-skip", "audit-pass");
    }

    @Test
    void theAuditResetsACapacityLeftBehindAndLateReleasesDoNotEatIntoNewOperations() throws Exception {
        // A drop handler that blocks holds up the callback thread, so the release of a later failed batch lags
        // behind: the kernel shows nothing outstanding while the needed capacity still counts it.
        CountDownLatch unblock = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        List<String> dropped = new CopyOnWriteArrayList<>();
        Batcher batcher = batchers.create("stuck", batchers.options().auditInterval(Duration.ofSeconds(1))
                .maxOperationTime(Duration.ofSeconds(2)).dropHandler((ops, reason, cause) -> {
                    ops.forEach(op -> dropped.add((String) op.payload()));
                    blocked.countDown();
                    try {
                        unblock.await();
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }).build());
        TestBatchers.Recorder events = new TestBatchers.Recorder();
        batcher.addListener(events);
        Watcher<String> failing = Watcher.of(ops -> {
            throw new IllegalStateException("datastore down");
        });
        TestBatchers.Batches<String> sink = new TestBatchers.Batches<>();
        batcher.start();
        batcher.enqueue(Operation.single(failing, 5, "a"));
        assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
        batcher.enqueue(Operation.single(failing, 7, "b"));
        await().until(() -> batcher.stats().dropped() == 2);
        assertThat(batcher.neededCapacity()).isEqualTo(7);

        batchers.clock.advance(Duration.ofSeconds(3));

        await().until(() -> events.count(BatcherEvent.AUDIT_FAIL) == 1);
        assertThat(events.names("audit")).containsExactly("audit-skip", "audit-skip", "audit-fail");
        assertThat(events.values(BatcherEvent.AUDIT_FAIL)).containsExactly(7L);
        assertThat(batcher.neededCapacity()).isZero();

        // A new operation held by a pause; then the lagging release of "b" arrives: it must not lower the new one's.
        batcher.pause();
        batcher.enqueue(Operation.single(sink.watcher, 11, "c"));
        assertThat(batcher.neededCapacity()).isEqualTo(11);
        unblock.countDown();
        await().until(() -> dropped.contains("b"));
        assertThat(batcher.neededCapacity()).isEqualTo(11);

        batchers.clock.advance(Duration.ofMillis(500));
        await().until(() -> sink.batches.size() == 1);
        await().until(() -> batcher.neededCapacity() == 0);
    }
}
