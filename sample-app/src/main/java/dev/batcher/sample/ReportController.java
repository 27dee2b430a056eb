package dev.batcher.sample;

import dev.batcher.task.TaskCall;
import dev.batcher.task.TaskClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /reports?minutes=60} starts a report job for the last minutes (202 with its id);
 * {@code GET /reports/{id}} answers the stored summary row, or 404 while the job has not written it.
 */
@RestController
class ReportController {

    private final TaskClient tasks;

    private final JdbcTemplate jdbc;

    ReportController(TaskClient tasks, JdbcTemplate jdbc) {
        this.tasks = tasks;
        this.jdbc = jdbc;
    }

    @PostMapping("/reports")
    ResponseEntity<Map<String, Object>> start(@RequestParam(defaultValue = "60") long minutes) {
        Instant to = Instant.now();
        Instant from = to.minus(Duration.ofMinutes(Math.max(1, minutes)));
        TaskCall<ReportJob.ReportSummary> call = this.tasks.call("report", from, to);
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .body(Map.of("id", call.id(), "status", "/reports/" + call.id()));
    }

    @GetMapping("/reports/{id}")
    ResponseEntity<Map<String, Object>> get(@PathVariable String id) {
        List<Map<String, Object>> rows = this.jdbc.queryForList("SELECT id, window_from, window_to, events, types, "
                + "created_at FROM reports WHERE id = ?", id);
        return rows.isEmpty() ? ResponseEntity.notFound().build() : ResponseEntity.ok(rows.get(0));
    }
}
