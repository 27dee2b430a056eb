package dev.batcher.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.batcher.InvalidOptionException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Registration, unknown names, the id makers and the options' validation: errors that name the problem and fix. */
class TaskRegistryTest {

    @Test
    void registeringANameTwiceIsAnErrorNamingBothRegistrations() throws Exception {
        TaskRegistry registry = new TaskRegistry().register("echo", String.class, String.class, text -> text);
        assertThatExceptionOfType(IllegalStateException.class)
                .isThrownBy(() -> registry.register("echo", this,
                        TaskRegistryTest.class.getDeclaredMethod("echo", String.class)))
                .withMessageContaining("Task 'echo' is already registered (by a Task1 function)")
                .withMessageContaining("method dev.batcher.task.TaskRegistryTest.echo");
    }

    @Test
    void callingAnUnknownNameIsAnErrorNamingTheKnownOnes() {
        TaskRegistry registry = new TaskRegistry().register("echo", String.class, String.class, text -> text);
        try (TaskQueue queue = TaskQueue.local("q", TaskQueueConfig.defaults(), registry)) {
            assertThatExceptionOfType(UnknownTaskException.class).isThrownBy(() -> queue.call("ehco", "x"))
                    .withMessageContaining("No task is registered under 'ehco'")
                    .withMessageContaining("@TaskWorker(\"ehco\")")
                    .withMessageContaining("known tasks: [echo]");
        }
    }

    @Test
    void aCallWithTheWrongNumberOfArgumentsIsRefusedAtTheCall() {
        TaskRegistry registry = new TaskRegistry().register("sum", long.class, long.class, Long.class, Long::sum);
        try (TaskQueue queue = TaskQueue.local("q", TaskQueueConfig.defaults(), registry)) {
            assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> queue.call("sum", 1))
                    .withMessage("Task 'sum' takes 2 argument(s) (long, long) -> java.lang.Long; the call gave 1");
        }
    }

    @Test
    void theSequenceIdMakerCountsPerNameAndRefusesToOverflow() {
        TaskIdMaker ids = TaskIdMaker.sequence(Long.MAX_VALUE - 1);
        assertThat(ids.next("a")).isEqualTo(Long.toString(Long.MAX_VALUE - 1));
        assertThat(ids.next("b")).isEqualTo(Long.toString(Long.MAX_VALUE - 1));
        assertThat(ids.next("a")).isEqualTo(Long.toString(Long.MAX_VALUE));
        for (int i = 0; i < 2; i++) {
            assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> ids.next("a"))
                    .withMessageContaining("task 'a' ran out of ids").withMessageContaining("TaskIdMaker.uuid()");
        }
        assertThat(TaskIdMaker.uuid().next("a")).hasSize(36);
    }

    @Test
    void invalidOptionsNameTheirKey() {
        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(() -> TaskQueueConfig.builder().concurrency(0).build())
                .satisfies(ex -> assertThat(ex.getOption()).isEqualTo("concurrency"));
        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(() -> TaskQueueConfig.builder().concurrency("resize", -1).build())
                .satisfies(ex -> assertThat(ex.getOption()).isEqualTo("workers.resize.concurrency"));
        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(() -> TaskQueueConfig.builder().timeout(Duration.ZERO).build())
                .satisfies(ex -> assertThat(ex.getOption()).isEqualTo("timeout"));
        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(() -> TaskQueueConfig.builder().maxPayloadBytes(0).build())
                .satisfies(ex -> assertThat(ex.getOption()).isEqualTo("max-payload-bytes"));
        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(() -> TaskQueue.create("q", TaskQueueConfig.builder()
                        .mode(TaskQueueConfig.Mode.REMOTE).build(), new TaskRegistry(), null))
                .satisfies(ex -> assertThat(ex.getOption()).isEqualTo("mode"))
                .withMessageContaining("needs a TaskBroker");
    }

    @Test
    void theJsonMarshallerRefusesTypeKeysAtAnyDepthAndKeepsPlainData() {
        TaskMarshaller json = TaskMarshaller.json();
        byte[] nested = "[{\"items\":[{\"@c\":\".Foo\"}]}]".getBytes();
        assertThatExceptionOfType(BadPayloadException.class)
                .isThrownBy(() -> json.unmarshalArguments(nested, new java.lang.reflect.Type[] {Object.class}))
                .withMessageContaining("names a Java type (key '@c')");
        Object[] plain = json.unmarshalArguments("[{\"a\":1},[2]]".getBytes(),
                new java.lang.reflect.Type[] {Object.class, Object.class});
        assertThat(plain[0]).isEqualTo(java.util.Map.of("a", 1));
        assertThat(plain[1]).isEqualTo(java.util.List.of(2));
        assertThatExceptionOfType(BadPayloadException.class)
                .isThrownBy(() -> json.unmarshalArguments("[1]".getBytes(),
                        new java.lang.reflect.Type[] {long.class, long.class}))
                .withMessageContaining("1 argument(s); the worker takes 2");
    }

    String echo(String text) {
        return text;
    }
}
