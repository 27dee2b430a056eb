package dev.batcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.batcher.dispatch.Dispatcher;
import dev.batcher.dispatch.DispatcherConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RegistryTest {

    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final Registry<DispatcherConfig<String>, Dispatcher<String>> registry = Registry.withDefaults(
            DispatcherConfig.<String>builder().maxBatchItems(2).build());

    @AfterEach
    void closeAll() {
        registry.all().forEach(Dispatcher::shutdownNow);
    }

    private Dispatcher<String> create(String name, DispatcherConfig<String> config) {
        return Dispatcher.create(name, config, batch -> sent.addAll(batch.items()));
    }

    @Test
    void instancesStartFromTheDefaultOrANamedConfigurationAndAreCreatedOncePerName() {
        registry.addConfiguration("slow", DispatcherConfig.from(registry.configuration(Registry.DEFAULT))
                .maxBatchAge(Duration.ofSeconds(5)).build());
        AtomicInteger created = new AtomicInteger();

        Dispatcher<String> a = registry.instance("a", (name, config) -> {
            created.incrementAndGet();
            return create(name, config);
        });
        Dispatcher<String> again = registry.instance("a", (name, config) -> create(name, config));
        Dispatcher<String> b = registry.instance("b", "slow", this::create);

        assertThat(again).isSameAs(a);
        assertThat(created).hasValue(1);
        assertThat(a.config().maxBatchItems()).isEqualTo(2);
        assertThat(b.config().maxBatchItems()).isEqualTo(2);
        assertThat(b.config().maxBatchAge()).isEqualTo(Duration.ofSeconds(5));
        assertThat(registry.find("b")).contains(b);
        assertThat(registry.find("c")).isEmpty();
    }

    @Test
    void closeAllDrainsEveryInstance() {
        Dispatcher<String> a = registry.instance("a", this::create);
        Dispatcher<String> b = registry.instance("b", this::create);
        a.submit("1");
        b.submit("2");

        assertThat(registry.closeAll(Duration.ofSeconds(5))).isTrue();

        assertThat(sent).containsExactlyInAnyOrder("1", "2");
        assertThat(a.isDrained()).isTrue();
        assertThat(b.isDrained()).isTrue();
    }

    @Test
    void unknownOrDuplicateConfigurationsAreClearErrors() {
        assertThatIllegalArgumentException().isThrownBy(() -> registry.configuration("nope"))
                .withMessageContaining("No configuration named 'nope'").withMessageContaining("default");
        assertThatIllegalArgumentException().isThrownBy(() -> registry.addConfiguration("default",
                DispatcherConfig.defaults())).withMessageContaining("other than 'default'");
    }
}
