package dev.batcher.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The Grafana dashboard's shape: one row per dispatcher (repeated by the {@code name} variable), every query on the
 * {@code ${DS_PROMETHEUS}} data source and filtered by {@code name="$name"}, and every meter of a dispatcher on it.
 * That the metrics exist in the sample app's scrape is {@link DashboardMetricsHttpTest}'s job.
 */
class DashboardTest {

    private final Dashboard dashboard = Dashboard.load();

    @Test
    void metricNamesAreWhatTheSelectorsSelect() {
        assertThat(Dashboard.metricNames("histogram_quantile(0.99, sum by (le, outcome) "
                + "(rate(batcher_send_duration_seconds_bucket{name=\"$name\"}[$__rate_interval])))"))
                .containsExactly("batcher_send_duration_seconds_bucket");
        assertThat(Dashboard.metricNames("sum by (outcome) (rate(a_sum{name=~\"x|y\", le=\"+Inf\"}[5m])) "
                + "/ sum by (outcome) (rate(a_count[5m] offset 1h))"))
                .containsExactly("a_sum", "a_count");
        assertThat(Dashboard.metricNames("sum(rate(c_total[1m])) by (reason) > bool 0 and on(instance) up"))
                .containsExactly("c_total", "up");
        assertThat(Dashboard.metricNames("max(g_max{label=\"rate(x)\"}) - 1e3 * scalar(h)"))
                .containsExactly("g_max", "h");
    }

    @Test
    void everyMeterOfADispatcherIsOnTheDashboard() {
        assertThat(dashboard.metricNames()).containsExactlyInAnyOrder(
                "batcher_items_submitted_items_total",
                "batcher_items_sent_items_total",
                "batcher_items_dropped_items_total",
                "batcher_items_retried_items_total",
                "batcher_buffer_depth_items",
                "batcher_buffer_limit_items",
                "batcher_in_flight_batches",
                "batcher_in_flight_items",
                "batcher_batch_size_items_sum",
                "batcher_batch_size_items_count",
                "batcher_batch_size_items_max",
                "batcher_send_duration_seconds_bucket",
                "batcher_send_duration_seconds_sum",
                "batcher_send_duration_seconds_count",
                "batcher_send_duration_seconds_max",
                "batcher_producer_blocked_seconds_sum",
                "batcher_producer_blocked_seconds_max",
                "batcher_paused",
                "batcher_sends_abandoned");
    }

    @Test
    void oneRowPerDispatcherRepeatedByTheNameVariable() {
        JsonNode row = dashboard.json.get("panels").get(0);
        assertThat(row.get("type").asString()).isEqualTo("row");
        assertThat(row.get("repeat").asString()).isEqualTo("name");
        assertThat(row.get("title").asString()).contains("$name");
        long rows = dashboard.panels().stream().filter(panel -> "row".equals(panel.get("type").asString())).count();
        assertThat(rows).as("rows").isEqualTo(1);

        JsonNode name = variable("name");
        assertThat(name.get("type").asString()).isEqualTo("query");
        assertThat(name.get("definition").asString())
                .isEqualTo("label_values(batcher_items_submitted_items_total, name)");
        assertThat(name.get("multi").asBoolean()).as("multi").isTrue();
        assertThat(name.get("includeAll").asBoolean()).as("includeAll").isTrue();
    }

    @Test
    void everyQueryRunsOnTheTemplatedPrometheusDataSource() {
        JsonNode dataSource = variable("DS_PROMETHEUS");
        assertThat(dataSource.get("type").asString()).isEqualTo("datasource");
        assertThat(dataSource.get("query").asString()).isEqualTo("prometheus");
        assertThat(variable("name").get("datasource").get("uid").asString()).isEqualTo("${DS_PROMETHEUS}");
        for (JsonNode panel : dashboard.panels()) {
            if (panel.has("targets")) {
                assertThat(panel.get("datasource").get("uid").asString()).as(panel.get("title").asString())
                        .isEqualTo("${DS_PROMETHEUS}");
                panel.get("targets").forEach(target -> assertThat(target.get("datasource").get("uid").asString())
                        .as(panel.get("title").asString()).isEqualTo("${DS_PROMETHEUS}"));
            }
        }
    }

    @Test
    void everySelectorInAPanelIsFilteredToTheRowsDispatcher() {
        List<String> unfiltered = new ArrayList<>();
        for (JsonNode panel : dashboard.panels()) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.get("expr").asString();
                for (String metric : Dashboard.metricNames(expr)) {
                    Matcher use = Pattern.compile("(?<![\\w:])" + Pattern.quote(metric) + "(?![\\w:])(.?)").matcher(expr);
                    while (use.find()) {
                        if (!expr.startsWith("{name=\"$name\"", use.end() - use.group(1).length())) {
                            unfiltered.add(panel.get("title").asString() + ": " + metric);
                        }
                    }
                }
            }
        }
        assertThat(unfiltered).as("selectors without {name=\"$name\"").isEmpty();
    }

    private JsonNode variable(String name) {
        for (JsonNode variable : dashboard.json.get("templating").get("list")) {
            if (name.equals(variable.get("name").asString())) {
                return variable;
            }
        }
        throw new AssertionError("No template variable '" + name + "' in " + Dashboard.FILE);
    }
}
