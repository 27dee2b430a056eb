package dev.batcher.autoconfigure;

import static dev.batcher.autoconfigure.BatcherAutoConfigurationTests.assertStartupFailure;
import static dev.batcher.autoconfigure.TestSinks.dispatcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batcher.DropReason;
import dev.batcher.dispatch.Dispatcher;
import dev.batcher.durable.DurableLogOptions;
import dev.batcher.durable.FsyncPolicy;
import dev.batcher.spring.BatchSink;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code batcher.dispatchers.<name>.buffer.durable.*}: the properties reach the log, bad values fail startup naming
 * the property, what one context left is replayed by the next one on the same directory (as the sink's generic item
 * type, through Jackson), a directory in use fails startup, and the meters and the endpoint show the log.
 */
class DurableBufferAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BatcherAutoConfiguration.class,
                    BatcherMetricsAutoConfiguration.class, EndpointAutoConfiguration.class,
                    BatchersEndpointAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=batchers")
            .withBean(SimpleMeterRegistry.class);

    @TempDir
    Path directory;

    @TempDir
    Path staging;

    record Amount(long cents) {
    }

    /** A generic item: replayed items must come back with an {@link Amount} payload, not a map. */
    record Envelope<P>(String id, P payload) {
    }

    /** Sink of dispatcher {@code payments} that records what it received. */
    static class RecordingSink {

        final List<Envelope<Amount>> received = new CopyOnWriteArrayList<>();

        @BatchSink("payments")
        public void store(List<Envelope<Amount>> batch) {
            this.received.addAll(batch);
        }
    }

    /** Sink of dispatcher {@code payments} whose downstream is down: every attempt fails. */
    static class FailingSink {

        @BatchSink("payments")
        public void store(List<Envelope<Amount>> batch) {
            throw new IllegalStateException("payments service down");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class RecordingConfiguration {

        @Bean
        RecordingSink recordingSink() {
            return new RecordingSink();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class FailingConfiguration {

        @Bean
        FailingSink failingSink() {
            return new FailingSink();
        }
    }

    private String directoryProperty() {
        return "batcher.dispatchers.payments.buffer.durable.directory=" + this.directory;
    }

    @Test
    void everyDurablePropertyReachesTheLog() {
        this.contextRunner.withUserConfiguration(RecordingConfiguration.class)
                .withPropertyValues(directoryProperty(), "batcher.dispatchers.payments.buffer.durable.fsync=always",
                        "batcher.dispatchers.payments.buffer.durable.fsync-interval=5ms",
                        "batcher.dispatchers.payments.buffer.durable.segment-bytes=1MB",
                        "batcher.dispatchers.payments.buffer.durable.max-bytes=8MB",
                        "batcher.dispatchers.payments.buffer.durable.staging-directory=" + this.staging)
                .run(context -> {
                    Dispatcher<Envelope<Amount>> payments = dispatcher(context, "payments");
                    assertThat(payments.config().durableBuffer().options()).isEqualTo(new DurableLogOptions(
                            this.directory, FsyncPolicy.ALWAYS, Duration.ofMillis(5), 1L << 20, 8L << 20,
                            this.staging));
                    assertThat(payments.stats().durable()).isNotNull();
                });
    }

    @Test
    void withoutADirectoryTheBufferStaysInMemory() {
        this.contextRunner.withUserConfiguration(RecordingConfiguration.class)
                .withPropertyValues("batcher.dispatchers.payments.buffer.durable.fsync=always")
                .run(context -> {
                    Dispatcher<Envelope<Amount>> payments = dispatcher(context, "payments");
                    assertThat(payments.config().durableBuffer()).isNull();
                    assertThat(payments.stats().durable()).isNull();
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    assertThat(meters.find("batcher.buffer.durable.bytes").meters()).isEmpty();
                    assertThat(context.getBean(BatchersEndpoint.class).batcher("payments").details()).isNull();
                });
    }

    @Test
    void aDirectoryUnderDefaultsIsTheParentOfOneDirectoryPerDispatcher() {
        this.contextRunner.withUserConfiguration(RecordingConfiguration.class)
                .withPropertyValues("batcher.defaults.buffer.durable.directory=" + this.directory)
                .run(context -> {
                    Dispatcher<Envelope<Amount>> payments = dispatcher(context, "payments");
                    assertThat(payments.config().durableBuffer().options())
                            .isEqualTo(DurableLogOptions.of(this.directory.resolve("payments")));
                });
    }

    @Test
    void aSegmentSizeOutOfRangeFailsStartupNamingTheProperty() {
        this.contextRunner.withUserConfiguration(RecordingConfiguration.class)
                .withPropertyValues(directoryProperty(), "batcher.dispatchers.payments.buffer.durable.segment-bytes=1KB")
                .run(context -> assertStartupFailure(context,
                        "batcher.dispatchers.payments.buffer.durable.segment-bytes=1KB: must be from 4096",
                        "Update batcher.dispatchers.payments.buffer.durable.segment-bytes in your configuration"));
    }

    @Test
    void aMaxBytesBelowTwoSegmentsFailsStartupNamingTheInheritedProperty() {
        this.contextRunner.withUserConfiguration(RecordingConfiguration.class)
                .withPropertyValues(directoryProperty(), "batcher.defaults.buffer.durable.max-bytes=1MB")
                .run(context -> assertStartupFailure(context,
                        "batcher.defaults.buffer.durable.max-bytes=1MB: must be at least two segments"));
    }

    @Test
    void aDirectoryInUseByARunningInstanceFailsStartupNamingThePropertyAndTheFix() {
        this.contextRunner.withUserConfiguration(RecordingConfiguration.class)
                .withPropertyValues(directoryProperty())
                .run(running -> {
                    assertThat(running).hasNotFailed();
                    this.contextRunner.withUserConfiguration(RecordingConfiguration.class)
                            .withPropertyValues(directoryProperty())
                            .run(second -> {
                                DurableBufferInUseException failure = assertStartupFailure(second,
                                        "durable buffer of dispatcher 'payments' "
                                                + "(batcher.dispatchers.payments.buffer.durable.directory)",
                                        this.directory.toString(), "is in use by another open instance");
                                FailureAnalysis analysis = new BatcherFailureAnalyzer().analyze(failure);
                                assertThat(analysis.getAction()).contains("give each running instance",
                                        "batcher.dispatchers.payments.buffer.durable.directory");
                            });
                });
    }

    @Test
    void whatAStoppedContextLeftIsReplayedInOrderByTheNextOneWithMetersAndEndpointDetails() {
        List<Envelope<Amount>> accepted = IntStream.range(0, 7)
                .mapToObj(i -> new Envelope<>("p" + i, new Amount(100L * i)))
                .toList();
        this.contextRunner.withUserConfiguration(FailingConfiguration.class)
                .withPropertyValues(directoryProperty(), "batcher.dispatchers.payments.max-batch-age=5ms",
                        "batcher.dispatchers.payments.ordering=fifo",
                        "batcher.dispatchers.payments.retry.initial-backoff=1h",
                        "batcher.dispatchers.payments.retry.max-backoff=1h", "batcher.shutdown.timeout=200ms")
                .run(context -> {
                    Dispatcher<Envelope<Amount>> payments = dispatcher(context, "payments");
                    accepted.forEach(payments::enqueue);
                    await().untilAsserted(() -> assertThat(payments.stats().retried()).isEqualTo(7));
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    assertThat(meters.get("batcher.buffer.durable.records").tags("name", "payments", "kind",
                            "dispatcher").gauge().value()).isEqualTo(7);
                    assertThat(meters.get("batcher.buffer.durable.bytes").tags("name", "payments").gauge().value())
                            .isPositive();
                    context.close();
                    assertThat(payments.stats().dropped(DropReason.SHUTDOWN)).isEqualTo(7);
                });

        this.contextRunner.withUserConfiguration(RecordingConfiguration.class)
                .withPropertyValues(directoryProperty(), "batcher.dispatchers.payments.max-batch-age=5ms")
                .run(context -> {
                    RecordingSink sink = context.getBean(RecordingSink.class);
                    await().untilAsserted(() -> assertThat(sink.received).hasSize(7));
                    assertThat(sink.received).containsExactlyElementsOf(accepted);
                    assertThat(sink.received.get(0).payload()).isInstanceOf(Amount.class);

                    Dispatcher<Envelope<Amount>> payments = dispatcher(context, "payments");
                    await().untilAsserted(() -> assertThat(payments.stats().durable().records()).isZero());
                    assertThat(payments.stats().replayedItems()).isEqualTo(7);
                    assertThat(payments.stats().submitted()).isEqualTo(7);

                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    assertThat(meters.get("batcher.buffer.durable.replayed").tags("name", "payments", "kind",
                            "dispatcher").functionCounter().count()).isEqualTo(7);
                    assertThat(meters.get("batcher.buffer.durable.records").tags("name", "payments").gauge().value())
                            .isZero();
                    assertThat(meters.get("batcher.buffer.durable.truncated").tags("name", "payments")
                            .functionCounter().count()).isZero();
                    await().untilAsserted(() -> assertThat(meters.get("batcher.buffer.durable.fsync")
                            .tags("name", "payments").functionTimer().count()).isPositive());

                    Map<String, Object> details = context.getBean(BatchersEndpoint.class).batcher("payments")
                            .details();
                    assertThat(details).containsOnlyKeys("durable");
                    @SuppressWarnings("unchecked")
                    Map<String, Object> durable = (Map<String, Object>) details.get("durable");
                    assertThat(durable).containsEntry("directory", this.directory.toString())
                            .containsEntry("fsync", "interval")
                            .containsEntry("records", 0L)
                            .containsEntry("replayedItems", 7L)
                            .containsEntry("truncatedTails", 0L)
                            .containsKeys("bytesOnDisk", "segments", "fsyncs", "fsyncMeanMillis", "fsyncMaxMillis");
                });
    }
}
