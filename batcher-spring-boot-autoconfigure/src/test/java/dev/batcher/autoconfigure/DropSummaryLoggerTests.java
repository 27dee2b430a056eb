package dev.batcher.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batcher.DropHandler;
import dev.batcher.DropReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link DropSummaryLogger}: at most one WARN line per interval, counts by reason, nothing lost. */
class DropSummaryLoggerTests {

    private final AtomicLong now = new AtomicLong();

    private final List<String> lines = new ArrayList<>();

    private final List<String> delegated = new ArrayList<>();

    private final DropHandler<String> application = (items, reason, cause) -> this.delegated.addAll(items);

    private final DropSummaryLogger<String> logger = new DropSummaryLogger<>("words", this.application,
            this.lines::add, this.now::get);

    @Test
    void firstDropIsLoggedAtOnceAndTheNextOnesAreSummedUpForTenSeconds() {
        this.logger.onDrop(List.of("a", "b"), DropReason.BUFFER_FULL, null);
        assertThat(this.lines).containsExactly("Dispatcher 'words' dropped 2 items (buffer-full=2); further drops "
                + "are summed up for 10s");
        this.now.addAndGet(TimeUnit.SECONDS.toNanos(3));
        this.logger.onDrop(List.of("c"), DropReason.BUFFER_FULL, null);
        this.logger.onDrop(List.of("d", "e"), DropReason.RETRIES_EXHAUSTED, new IllegalStateException("db down"));
        assertThat(this.lines).hasSize(1);
        this.now.addAndGet(TimeUnit.SECONDS.toNanos(7));
        this.logger.onDrop(List.of("f"), DropReason.BUFFER_FULL, null);
        assertThat(this.lines).hasSize(2).last().isEqualTo("Dispatcher 'words' dropped 4 items since the last "
                + "summary (buffer-full=2, retries-exhausted=2); last failure: java.lang.IllegalStateException: db "
                + "down; further drops are summed up for 10s");
        assertThat(this.delegated).containsExactly("a", "b", "c", "d", "e", "f");
    }

    @Test
    void dropsNotLoggedYetAreLoggedWhenTheDispatcherDrains() {
        this.logger.onDrop(List.of("a"), DropReason.SHUTDOWN, null);
        this.logger.onDrop(List.of("b"), DropReason.SHUTDOWN, null);
        this.logger.flush();
        this.logger.flush();
        assertThat(this.lines).hasSize(2).last().asString().startsWith("Dispatcher 'words' dropped 1 item since the "
                + "last summary (shutdown=1)");
    }
}
