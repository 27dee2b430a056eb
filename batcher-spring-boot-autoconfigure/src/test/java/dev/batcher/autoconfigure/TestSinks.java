package dev.batcher.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batcher.Batch;
import dev.batcher.dispatch.Dispatcher;
import dev.batcher.spring.BatchSink;
import dev.batcher.spring.BatcherRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Item types, sinks and configurations shared by the auto-configuration tests. Nothing here is static state. */
final class TestSinks {

    private TestSinks() {
    }

    /** The dispatcher of a started context, by name. */
    @SuppressWarnings("unchecked")
    static <T> Dispatcher<T> dispatcher(AssertableApplicationContext context, String name) {
        assertThat(context).hasNotFailed();
        return (Dispatcher<T>) context.getBean(BatcherRegistry.class).dispatcher(name);
    }

    record OrderEvent(String id) {
    }

    record Invoice(String id) {
    }

    /** Sink of dispatcher {@code orders}; records what it received. */
    static class OrderSink {

        final List<OrderEvent> received = new CopyOnWriteArrayList<>();

        @BatchSink("orders")
        public void store(List<OrderEvent> batch) {
            this.received.addAll(batch);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OrderSinkConfiguration {

        @Bean
        OrderSink orderSink() {
            return new OrderSink();
        }
    }

    /** Sink of dispatcher {@code invoices} taking the whole batch. */
    static class InvoiceSink {

        final List<Integer> attempts = new CopyOnWriteArrayList<>();

        @BatchSink("invoices")
        void send(Batch<Invoice> batch) {
            this.attempts.add(batch.attempt());
        }
    }

    /** Sink of dispatcher {@code failing} that always fails. */
    static class FailingSink {

        @BatchSink("failing")
        void send(List<OrderEvent> batch) {
            throw new IllegalStateException("database down");
        }
    }

    /** Sink of dispatcher {@code orders} that holds every send until released. */
    static class BlockingSink {

        final CountDownLatch release = new CountDownLatch(1);

        final List<OrderEvent> received = new CopyOnWriteArrayList<>();

        @BatchSink("orders")
        void send(List<OrderEvent> batch) throws InterruptedException {
            this.release.await(10, TimeUnit.SECONDS);
            this.received.addAll(batch);
        }
    }
}
