package dev.batcher.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Every metric the Grafana dashboard ({@code dashboards/batcher-grafana.json}) queries is in the sample app's
 * {@code /actuator/prometheus} scrape, with a series for dispatcher {@code events}, after some events went through.
 * A failure lists each missing name, with a hint when its family is there under another suffix.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "demo.events=0",
        "spring.datasource.url=jdbc:h2:mem:events-dashboard-${random.uuid}"})
class DashboardMetricsHttpTest {

    /** What Prometheus appends to a family's name in sample lines. */
    private static final List<String> SUFFIXES = List.of("_bucket", "_sum", "_count", "_total", "_max", "_created");

    @LocalServerPort
    int port;

    @Test
    void everyMetricTheDashboardQueriesIsInThePrometheusScrape() {
        Http http = new Http(port);
        long before = http.count();
        StringJoiner events = new StringJoiner(",", "[", "]");
        for (int i = 0; i < 20; i++) {
            events.add(Http.event("dashboard", "e" + i));
        }
        assertThat(http.post("/events", events.toString()).statusCode()).isEqualTo(202);
        // >=: an event another test of this context posted may be stored meanwhile
        await().atMost(Duration.ofSeconds(20)).until(() -> http.count() >= before + 20);

        HttpResponse<String> response = http.get("/actuator/prometheus");
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, List<String>> scrape = seriesByName(response.body());

        SortedSet<String> queried = Dashboard.load().metricNames();
        assertThat(queried).as("metric names in the dashboard's queries").isNotEmpty();
        List<String> missing = new ArrayList<>();
        for (String metric : queried) {
            List<String> series = scrape.getOrDefault(metric, List.of());
            if (series.stream().noneMatch(labels -> labels.contains("name=\"events\""))) {
                missing.add(explain(metric, series, scrape.keySet()));
            }
        }
        assertThat(missing)
                .as("dashboard metrics not in /actuator/prometheus for dispatcher 'events' (%d of %d); the scrape's "
                        + "batcher_ series are %s", missing.size(), queried.size(), batcherNames(scrape.keySet()))
                .isEmpty();
    }

    /** Sample line name to the label sets of its series, from the Prometheus text format. */
    private static Map<String, List<String>> seriesByName(String scrape) {
        Map<String, List<String>> series = new TreeMap<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            int end = brace >= 0 && brace < space ? brace : space;
            String labels = end == brace ? line.substring(brace, line.lastIndexOf('}') + 1) : "";
            series.computeIfAbsent(line.substring(0, end), name -> new ArrayList<>()).add(labels);
        }
        return series;
    }

    private static String explain(String metric, List<String> series, Set<String> scraped) {
        if (!series.isEmpty()) {
            return metric + " (present, but no series with name=\"events\": " + series + ")";
        }
        String family = metric;
        for (String suffix : SUFFIXES) {
            if (metric.endsWith(suffix)) {
                family = metric.substring(0, metric.length() - suffix.length());
                break;
            }
        }
        SortedSet<String> relatives = new TreeSet<>();
        for (String name : scraped) {
            if (name.equals(family) || name.startsWith(family + "_")) {
                relatives.add(name);
            }
        }
        return relatives.isEmpty() ? metric + " (missing)"
                : metric + " (missing; the scrape has " + relatives + ": another suffix or unit, or the histogram "
                        + "is off)";
    }

    private static SortedSet<String> batcherNames(Set<String> names) {
        SortedSet<String> batcher = new TreeSet<>();
        names.stream().filter(name -> name.startsWith("batcher_")).forEach(batcher::add);
        return batcher;
    }
}
