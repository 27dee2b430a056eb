package dev.batcher.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batcher.cost.Batcher;
import dev.batcher.cost.Operation;
import dev.batcher.spring.BatchWatcher;
import dev.batcher.spring.BatcherRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;

/** Payload types and watchers shared by the cost batcher tests. Nothing here is static state. */
final class TestWatchers {

    private TestWatchers() {
    }

    /** The batcher of a started context, by name. */
    static Batcher batcher(AssertableApplicationContext context, String name) {
        assertThat(context).hasNotFailed();
        return context.getBean(BatcherRegistry.class).findBatcher(name).orElseThrow();
    }

    record Order(String id) {
    }

    record Audit(String id) {
    }

    /** Two watchers of batcher {@code cosmos}: one taking payloads, one taking operations. */
    static class CosmosWatchers {

        final List<List<Order>> orderBatches = new CopyOnWriteArrayList<>();

        final List<Operation<Audit>> audits = new CopyOnWriteArrayList<>();

        @BatchWatcher(batcher = "cosmos", maxBatchSize = 2, maxAttempts = 3, maxOperationTime = "${orders.timeout:5s}")
        void upserts(List<Order> orders) {
            this.orderBatches.add(orders);
        }

        @BatchWatcher(value = "cosmos", name = "audit-log")
        public void audits(List<Operation<Audit>> operations) {
            this.audits.addAll(operations);
        }
    }

    /** The only watcher of batcher {@code cosmos}; holds every batch until released. */
    static class BlockingWatcher {

        final CountDownLatch release = new CountDownLatch(1);

        final List<Order> received = new CopyOnWriteArrayList<>();

        @BatchWatcher("cosmos")
        void upserts(List<Order> orders) throws InterruptedException {
            this.release.await(10, TimeUnit.SECONDS);
            this.received.addAll(orders);
        }
    }

    /** The only watcher of batcher {@code cosmos}; always fails. */
    static class FailingWatcher {

        @BatchWatcher("cosmos")
        void upserts(List<Order> orders) {
            throw new IllegalStateException("cosmos down");
        }
    }
}
