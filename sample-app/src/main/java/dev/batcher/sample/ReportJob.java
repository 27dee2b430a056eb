package dev.batcher.sample;

import dev.batcher.spring.TaskWorker;
import dev.batcher.task.TaskContext;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The sample's background job on the task queue: {@code report} aggregates the events stored in a time window and
 * writes one summary row (table {@code reports}). It runs in this process by default, or on any worker process with
 * the {@code redis} profile. Running it twice for one id (a reclaimed task) writes the same row again: idempotent.
 */
@Component
public class ReportJob {

    private final JdbcTemplate jdbc;

    /**
     * Creates the job.
     *
     * @param jdbc the app's JDBC template
     */
    public ReportJob(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Aggregates the events of {@code [from, to)} and stores the summary under the call's id.
     *
     * @param from the window's start
     * @param to the window's end
     * @param context the running call (its id names the row)
     * @return the summary
     */
    @TaskWorker("report")
    public ReportSummary report(Instant from, Instant to, TaskContext context) {
        Map<String, Object> row = this.jdbc.queryForMap("SELECT COUNT(*) AS events, COUNT(DISTINCT type) AS types "
                + "FROM events WHERE created_at >= ? AND created_at < ?", Timestamp.from(from), Timestamp.from(to));
        long events = ((Number) row.get("events")).longValue();
        int types = ((Number) row.get("types")).intValue();
        context.progress(events);
        this.jdbc.update("DELETE FROM reports WHERE id = ?", context.taskId());
        this.jdbc.update("INSERT INTO reports (id, window_from, window_to, events, types, created_at) "
                + "VALUES (?, ?, ?, ?, ?, ?)", context.taskId(), Timestamp.from(from), Timestamp.from(to), events,
                types, Timestamp.from(Instant.now()));
        return new ReportSummary(context.taskId(), from, to, events, types);
    }

    /**
     * A report.
     *
     * @param id the report (call) id
     * @param from the window's start
     * @param to the window's end
     * @param events events stored in the window
     * @param types distinct event types among them
     */
    public record ReportSummary(String id, Instant from, Instant to, long events, int types) {
    }
}
