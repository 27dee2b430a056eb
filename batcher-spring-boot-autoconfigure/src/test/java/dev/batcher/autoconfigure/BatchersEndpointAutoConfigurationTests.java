package dev.batcher.autoconfigure;

import static dev.batcher.autoconfigure.TestSinks.dispatcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import dev.batcher.autoconfigure.BatchersEndpoint.BatcherDescriptor;
import dev.batcher.autoconfigure.TestSinks.BlockingSink;
import dev.batcher.autoconfigure.TestSinks.OrderEvent;
import dev.batcher.autoconfigure.TestSinks.OrderSinkConfiguration;
import dev.batcher.dispatch.Dispatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.EndpointAccessResolver;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.InvocationContext;
import org.springframework.boot.actuate.endpoint.OperationFilter;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.invoke.ParameterValueMapper;
import org.springframework.boot.actuate.endpoint.web.EndpointMediaTypes;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.WebOperation;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpointDiscoverer;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.convert.support.ConfigurableConversionService;

/** {@link BatchersEndpointAutoConfiguration}: the {@code batchers} endpoint, its access and its HTTP status codes. */
class BatchersEndpointAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, BatcherAutoConfiguration.class,
                    BatchersEndpointAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=batchers")
            // Converts 'unrestricted' to Access.UNRESTRICTED, as in a Spring Boot application.
            .withInitializer(context -> context.getEnvironment()
                    .setConversionService((ConfigurableConversionService) ApplicationConversionService
                            .getSharedInstance()));

    @Test
    void endpointIsNotExposedByDefault() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BatcherAutoConfiguration.class,
                        BatchersEndpointAutoConfiguration.class))
                .withUserConfiguration(OrderSinkConfiguration.class)
                .run(context -> assertThat(context).doesNotHaveBean(BatchersEndpoint.class));
    }

    @Test
    void endpointListsShowsAndControlsKnownInstances() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-age=1h")
                .run(context -> {
                    BatchersEndpoint endpoint = context.getBean(BatchersEndpoint.class);
                    Dispatcher<OrderEvent> orders = dispatcher(context, "orders");
                    orders.submit(new OrderEvent("a"));

                    assertThat(endpoint.batchers().batchers()).singleElement().satisfies(descriptor -> {
                        assertThat(descriptor.name()).isEqualTo("orders");
                        assertThat(descriptor.kind()).isEqualTo("dispatcher");
                        assertThat(descriptor.bufferedItems()).isEqualTo(1);
                        assertThat(descriptor.totals().submitted()).isEqualTo(1);
                        assertThat(descriptor.neededCapacity()).isNull();
                    });
                    assertThat(endpoint.batcher("unknown")).isNull();

                    assertThat(endpoint.control("orders", "pause").paused()).isTrue();
                    assertThat(endpoint.control("orders", "resume").paused()).isFalse();
                    endpoint.control("orders", "flush");
                    await().untilAsserted(() -> {
                        assertThat(endpoint.batcher("orders").totals().sent()).isEqualTo(1);
                        assertThat(endpoint.batcher("orders").lastBatch().items()).isEqualTo(1);
                    });
                    assertThatExceptionOfType(InvalidEndpointRequestException.class)
                            .isThrownBy(() -> endpoint.control("orders", "explode"))
                            .withMessageContaining("Unknown action 'explode'; use flush, pause or resume");
                });
    }

    @Test
    void lastBatchSentAtIsWhenTheSendFinishedNotWhenItIsRead() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("batcher.dispatchers.orders.max-batch-age=10ms")
                .run(context -> {
                    BatchersEndpoint endpoint = context.getBean(BatchersEndpoint.class);
                    Instant before = Instant.now();
                    dispatcher(context, "orders").submit(new OrderEvent("a")).get();
                    Instant after = Instant.now();
                    Instant first = endpoint.batcher("orders").lastBatch().sentAt();
                    await().pollDelay(Duration.ofMillis(20)).until(() -> Instant.now().isAfter(after.plusMillis(10)));
                    assertThat(endpoint.batcher("orders").lastBatch().sentAt()).isEqualTo(first);
                    assertThat(first).isBetween(before, after);
                });
    }

    @Test
    void writesAreRefusedByDefaultAndAllowedWithUnrestrictedAccess() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class).run(context -> {
            assertThat(operationTypes(context)).containsOnly(OperationType.READ);
        });
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("management.endpoint.batchers.access=unrestricted")
                .run(context -> assertThat(operationTypes(context)).contains(OperationType.READ, OperationType.WRITE));
    }

    @Test
    void httpWriteToAnUnknownInstanceIsNotFound() {
        this.contextRunner.withUserConfiguration(OrderSinkConfiguration.class)
                .withPropertyValues("management.endpoint.batchers.access=unrestricted")
                .run(context -> {
                    Object result = write(context, "unknown", "flush");
                    assertThat(result).isInstanceOf(WebEndpointResponse.class);
                    assertThat(((WebEndpointResponse<?>) result).getStatus()).isEqualTo(404);
                    WebEndpointResponse<?> known = (WebEndpointResponse<?>) write(context, "orders", "pause");
                    assertThat(known.getStatus()).isEqualTo(200);
                    assertThat(((BatcherDescriptor) known.getBody()).paused()).isTrue();
                });
    }

    @Test
    void httpPauseOfAnInstanceThatIsClosingIsAConflict() {
        this.contextRunner.withUserConfiguration(BlockingSink.class)
                .withPropertyValues("management.endpoint.batchers.access=unrestricted",
                        "batcher.dispatchers.orders.max-batch-age=10ms")
                .run(context -> {
                    Dispatcher<OrderEvent> orders = dispatcher(context, "orders");
                    orders.enqueue(new OrderEvent("a"));
                    CompletableFuture<Boolean> closing = CompletableFuture
                            .supplyAsync(() -> orders.close(Duration.ofSeconds(10)));
                    await().until(orders::isClosed);
                    WebEndpointResponse<?> response = (WebEndpointResponse<?>) write(context, "orders", "pause");
                    assertThat(response.getStatus()).isEqualTo(409);
                    assertThat(response.getBody()).asString().contains("Dispatcher 'orders' is closing",
                            "pause refused");
                    assertThat(orders.stats().paused()).isFalse();
                    context.getBean(BlockingSink.class).release.countDown();
                    assertThat(closing.get()).isTrue();
                });
    }

    private static List<OperationType> operationTypes(AssertableApplicationContext context) {
        return batchersEndpoint(context).getOperations().stream().map(WebOperation::getType).toList();
    }

    private static Object write(AssertableApplicationContext context, String name, String action) {
        WebOperation write = batchersEndpoint(context).getOperations().stream()
                .filter(operation -> operation.getType() == OperationType.WRITE)
                .findFirst()
                .orElseThrow();
        return write.invoke(new InvocationContext(SecurityContext.NONE, Map.of("name", name, "action", action)));
    }

    /** The endpoint as Spring Boot's web endpoint discovery sees it, under the configured access. */
    private static ExposableWebEndpoint batchersEndpoint(AssertableApplicationContext context) {
        assertThat(context).hasNotFailed();
        WebEndpointDiscoverer discoverer = new WebEndpointDiscoverer(context,
                context.getBean(ParameterValueMapper.class), EndpointMediaTypes.DEFAULT, List.of(), List.of(),
                List.of(), List.of(),
                List.of(OperationFilter.byAccess(context.getBean(EndpointAccessResolver.class))));
        return discoverer.getEndpoints().stream()
                .filter(endpoint -> endpoint.getEndpointId().toString().equals("batchers"))
                .findFirst()
                .orElseThrow();
    }
}
