package dev.batcher.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Type;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** dingo's scenarios in local mode, plus what only local mode does: no marshalling where types already fit. */
class LocalTaskQueueTest extends TaskQueueScenarios {

    @Override
    TaskQueue create(TaskRegistry registry, TaskQueueConfig.Builder config) {
        return TaskQueue.local("local", config.build(), registry).start();
    }

    /** A custom marshaller: JSON, counting what it is asked to do. */
    static final class CountingMarshaller implements TaskMarshaller {

        final TaskMarshaller json = TaskMarshaller.json();
        final AtomicInteger marshalled = new AtomicInteger();
        final AtomicInteger unmarshalled = new AtomicInteger();
        final AtomicInteger converted = new AtomicInteger();

        @Override
        public byte[] marshalArguments(Object[] arguments) {
            marshalled.incrementAndGet();
            return json.marshalArguments(arguments);
        }

        @Override
        public Object[] unmarshalArguments(byte[] payload, Type[] types) {
            unmarshalled.incrementAndGet();
            return json.unmarshalArguments(payload, types);
        }

        @Override
        public byte[] marshal(Object value) {
            marshalled.incrementAndGet();
            return json.marshal(value);
        }

        @Override
        public Object unmarshal(byte[] bytes, Type type) {
            unmarshalled.incrementAndGet();
            return json.unmarshal(bytes, type);
        }

        @Override
        public Object convert(Object value, Type type) {
            converted.incrementAndGet();
            return json.convert(value, type);
        }
    }

    @Test
    void aCustomMarshallerIsUsedOnlyToConvertArgumentsWhoseTypeDiffers() throws Exception {
        CountingMarshaller marshaller = new CountingMarshaller();
        TaskRegistry registry = new TaskRegistry().register("sum", long.class, long.class, Long.class, Long::sum);
        TaskQueue queue = open(registry, config -> config.marshaller(marshaller));
        TaskOptions quiet = TaskOptions.DEFAULTS.ignoreReports();
        assertThat(queue.<Long>call("sum", quiet, 1L, 2L).await(WAIT)).isEqualTo(3L);
        assertThat(marshaller.converted).hasValue(0);
        assertThat(queue.<Long>call("sum", quiet, 1, 2L).await(WAIT)).isEqualTo(3L);
        assertThat(marshaller.converted).hasValue(1);
        assertThat(marshaller.marshalled).hasValue(0);
        assertThat(marshaller.unmarshalled).hasValue(0);
    }

    @Test
    void aWorkerMethodTakesTheContextAndReportsProgress() throws Exception {
        Worker worker = new Worker();
        TaskRegistry registry = new TaskRegistry().register("scale", worker,
                Worker.class.getDeclaredMethod("scale", long.class, TaskContext.class, Order.class));
        TaskQueue queue = open(registry);
        TaskCall<Long> call = queue.call("scale", 3, java.util.Map.of("id", "x", "quantity", 5));
        assertThat(call.await(WAIT)).isEqualTo(15L);
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> call.reportsSoFar().size() == 4);
        assertThat(new String(call.reportsSoFar().get(2).payload())).isEqualTo("\"attempt 1\"");
    }

    static final class Worker {

        long scale(long factor, TaskContext context, Order order) {
            context.progress("attempt " + context.attempt());
            return factor * order.quantity();
        }
    }
}
