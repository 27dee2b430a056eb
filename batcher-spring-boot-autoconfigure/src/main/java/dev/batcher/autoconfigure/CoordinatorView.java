package dev.batcher.autoconfigure;

import dev.batcher.BatchingEngine;
import dev.batcher.autoconfigure.BatchersEndpoint.BatcherDescriptor;
import dev.batcher.autoconfigure.BatchersEndpoint.LastBatchDescriptor;
import dev.batcher.autoconfigure.BatchersEndpoint.TotalsDescriptor;
import dev.batcher.coordinate.CommitEvent;
import dev.batcher.coordinate.Coordinator;
import dev.batcher.coordinate.CoordinatorStats;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.health.contributor.Health;

/**
 * A coordinator as the endpoint and health show it ({@code kind: coordinator}). Totals map onto the shared descriptor
 * as: submitted = contributions, sent = contributions in commits that returned, sentBatches = commits that returned,
 * failedAttempts = commits that threw; bufferedItems = contributions in open batches; {@code details} holds its
 * coaches, contributors per commit, cancelled and aborted batches, refused tries and the last commit. It is DOWN while
 * its commits keep failing ({@code batcher.health.max-consecutive-failures} commits in a row that threw).
 *
 * <p>It is not paused until the application starts, unlike a dispatcher: its commit runs on a contributor's thread,
 * so a pause would block a caller contributing during startup (a {@code @PostConstruct}, say) and hang the startup.
 */
final class CoordinatorView implements EngineView {

    private static final Log logger = LogFactory.getLog(CoordinatorView.class);

    private final Coordinator<?, ?> coordinator;

    private final CoordinatorObserver observer;

    private final String source;

    private final Runnable unbind;

    CoordinatorView(Coordinator<?, ?> coordinator, CoordinatorObserver observer, String source, Runnable unbind) {
        this.coordinator = coordinator;
        this.observer = observer;
        this.source = source;
        this.unbind = unbind;
    }

    @Override
    public BatchingEngine engine() {
        return this.coordinator;
    }

    @Override
    public String kind() {
        return CoordinatorMeterBinder.KIND;
    }

    @Override
    public void closed() {
        this.unbind.run();
        CoordinatorStats stats = this.coordinator.stats();
        logger.info("Coordinator '" + this.coordinator.name() + "' closed: " + stats.contributions()
                + " contribution(s), " + stats.commits() + " commit(s) (" + stats.failedCommits() + " failed), "
                + String.format("%.1f", stats.contributorsPerCommit()) + " contributors per commit, "
                + stats.cancelledBatches() + " batch(es) cancelled, " + stats.abortedBatches() + " aborted");
    }

    @Override
    public BatcherDescriptor describe() {
        CoordinatorStats stats = this.coordinator.stats();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("commit", this.source);
        details.put("coaches", this.coordinator.config().coaches());
        details.put("commits", stats.commits());
        details.put("failedCommits", stats.failedCommits());
        details.put("contributorsPerCommit", stats.contributorsPerCommit());
        details.put("cancelledBatches", stats.cancelledBatches());
        details.put("abortedBatches", stats.abortedBatches());
        details.put("refusedTries", stats.refusedTries());
        details.put("announced", stats.announced());
        details.put("lastCommitContributors", stats.lastCommitContributors());
        details.put("lastCommitMillis", stats.lastCommitDuration().toNanos() / 1e6);
        CommitEvent last = this.observer.last();
        if (last != null) {
            details.put("lastOutcome", last.outcome().name().toLowerCase(java.util.Locale.ROOT));
            details.put("lastError", (last.error() != null) ? String.valueOf(last.error()) : null);
        }
        long committedBatches = stats.commits() - stats.failedCommits();
        return new BatcherDescriptor(this.coordinator.name(), kind(), stats.open(), 0, 0, 0, stats.paused(),
                stats.closed(),
                new TotalsDescriptor(stats.contributions(), stats.committedContributions(), 0, Map.of(), 0,
                        committedBatches, stats.failedCommits(), this.observer.consecutiveFailures()),
                new LastBatchDescriptor(stats.lastCommitContributors(), null), null, null, null, null, null, null,
                details);
    }

    @Override
    public Health health(BatcherProperties.Health thresholds) {
        CoordinatorStats stats = this.coordinator.stats();
        long failures = this.observer.consecutiveFailures();
        int max = thresholds.getMaxConsecutiveFailures();
        boolean down = !stats.closed() && max > 0 && failures >= max;
        Health.Builder builder = down ? Health.down() : Health.up();
        builder.withDetail("state", EngineView.state(stats.closed(), stats.paused()));
        if (down) {
            CommitEvent last = this.observer.last();
            builder.withDetail("problem", "the last " + failures + " commits failed (threshold "
                    + "batcher.health.max-consecutive-failures=" + max + ")"
                    + ((last != null && last.error() != null) ? ": " + last.error() : ""));
        }
        return builder.withDetail("kind", kind())
                .withDetail("paused", stats.paused())
                .withDetail("consecutiveFailures", failures)
                .withDetail("openContributions", stats.open())
                .build();
    }
}
