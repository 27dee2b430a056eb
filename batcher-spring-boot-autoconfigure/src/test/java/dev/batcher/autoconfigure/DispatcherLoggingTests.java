package dev.batcher.autoconfigure;

import static dev.batcher.autoconfigure.TestSinks.dispatcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.batcher.autoconfigure.TestSinks.FailingSink;
import dev.batcher.autoconfigure.TestSinks.OrderEvent;
import dev.batcher.autoconfigure.TestSinks.OrderSinkConfiguration;
import dev.batcher.dispatch.Dispatcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** What the starter logs under {@code dev.batcher.dispatch.Dispatcher}. */
@ExtendWith(OutputCaptureExtension.class)
class DispatcherLoggingTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BatcherAutoConfiguration.class));

    private final Logger logger = (Logger) LoggerFactory.getLogger(Dispatcher.class);

    private Level level;

    @BeforeEach
    void debug() {
        this.level = this.logger.getLevel();
        this.logger.setLevel(Level.DEBUG);
    }

    @AfterEach
    void restore() {
        this.logger.setLevel(this.level);
    }

    @Test
    void logsTheEffectiveOptionsAtStartupEachSendAtDebugAndTotalsAtDrain(CapturedOutput output) {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-items=50",
                        "batcher.dispatchers.orders.max-batch-age=10ms")
                .run(context -> {
                    assertThat(output).contains("Dispatcher 'orders' created "
                            + "for @BatchSink method 'TestSinks.OrderSink.store(List<TestSinks.OrderEvent>)' on bean "
                            + "'orderSink': max-batch-items=50, max-batch-bytes=unlimited, max-batch-age=10ms, "
                            + "max-concurrent-sends=4, ordering=none, buffer.max-items=10000",
                            "retry=until sent, back-off 200ms x1.2 up to 1m, send-timeout=30s, drain-timeout=25s");
                    Dispatcher<OrderEvent> orders = dispatcher(context, "orders");
                    orders.submit(new OrderEvent("a")).get();
                    await().untilAsserted(() -> assertThat(output)
                            .containsPattern("DEBUG .*Dispatcher 'orders' send of 1 items took [0-9.]+ ms: success"));
                    context.close();
                    assertThat(output).contains("Dispatcher 'orders' drained: 1 submitted, 1 sent in 1 batches, "
                            + "0 dropped");
                });
    }

    @Test
    void dropsAreSummedUpInWarnLines(CapturedOutput output) {
        this.contextRunner.withUserConfiguration(FailingSink.class)
                .withPropertyValues("batcher.dispatchers.failing.max-batch-age=10ms",
                        "batcher.dispatchers.failing.retry.max-attempts=1")
                .run(context -> {
                    Dispatcher<OrderEvent> failing = dispatcher(context, "failing");
                    failing.enqueue(new OrderEvent("a"));
                    await().untilAsserted(() -> assertThat(output).contains(
                            "Dispatcher 'failing' dropped 1 item (retries-exhausted=1); last failure: "
                            + "java.lang.IllegalStateException: database down; further drops are summed up for 10s"));
                    failing.enqueue(new OrderEvent("b"));
                    failing.enqueue(new OrderEvent("c"));
                    await().until(() -> failing.stats().dropped() == 3);
                    context.close();
                    assertThat(output).contains("Dispatcher 'failing' dropped 2 items since the last summary "
                            + "(retries-exhausted=2)", "Dispatcher 'failing' drained: 3 submitted, 0 sent in 0 batches, "
                            + "3 dropped (retries-exhausted=3)");
                });
    }
}
