package dev.batcher.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.time.ManualScheduler;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RateLimitTest {

    @RegisterExtension
    final TestDispatchers dispatchers = new TestDispatchers();

    private final ManualScheduler clock = dispatchers.clock;
    private final RecordingSender<Integer> sender = new RecordingSender<>();
    private Dispatcher<Integer> dispatcher;

    @Test
    void sendsArePacedToTheRateAcrossAllParallelSenders() {
        dispatcher = dispatchers.create("qps", DispatcherConfig.<Integer>builder().scheduler(clock).maxBatchItems(1)
                .maxConcurrentSends(4).rateLimit(10, 1).build(), sender);
        IntStream.range(0, 6).forEach(dispatcher::enqueue);

        await().until(() -> sender.batches.size() == 1);
        for (int sent = 2; sent <= 6; sent++) {
            clock.advance(Duration.ofMillis(99));
            assertThat(sender.batches).hasSize(sent - 1);
            clock.advance(Duration.ofMillis(1));
            int expected = sent;
            await().until(() -> sender.batches.size() == expected);
        }
        assertThat(dispatcher.stats().sent()).isEqualTo(6);
    }

    @Test
    void aBurstIsSentAtOnceAfterAQuietPeriod() {
        dispatcher = dispatchers.create("burst", DispatcherConfig.<Integer>builder().scheduler(clock).maxBatchItems(1)
                .maxConcurrentSends(4).rateLimit(2, 3).build(), sender);
        IntStream.range(0, 5).forEach(dispatcher::enqueue);
        await().until(() -> sender.batches.size() == 3);
        clock.advance(Duration.ofMillis(499));
        assertThat(sender.batches).hasSize(3);
        clock.advance(Duration.ofMillis(1));
        await().until(() -> sender.batches.size() == 4);
        clock.advance(Duration.ofMillis(500));
        await().until(() -> sender.batches.size() == 5);
    }

    @Test
    void aCustomSendGateIsAskedForEveryBatch() {
        int[] asked = new int[1];
        dispatcher = dispatchers.create("gate", DispatcherConfig.<Integer>builder().scheduler(clock).maxBatchItems(1)
                .sendGate(cost -> {
                    synchronized (asked) {
                        return asked[0]++ % 2 == 0 ? 0 : 1_000_000L;
                    }
                }).build(), sender);
        IntStream.range(0, 2).forEach(dispatcher::enqueue);
        await().until(() -> sender.batches.size() == 1);
        clock.advance(Duration.ofMillis(1));
        await().until(() -> sender.batches.size() == 2);
    }
}
