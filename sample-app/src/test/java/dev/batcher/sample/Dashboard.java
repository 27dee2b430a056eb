package dev.batcher.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The Grafana dashboard {@code dashboards/batcher-grafana.json} at the repository root, and the Prometheus metric
 * names its PromQL uses: every panel target's {@code expr} and the {@code label_values(...)} of its template
 * variables.
 */
final class Dashboard {

    /** Where the dashboard lives, seen from the sample-app module (Maven runs tests there). */
    static final Path FILE = Path.of("..", "dashboards", "batcher-grafana.json");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");

    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");

    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");

    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");

    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w$:.])[a-zA-Z_:][a-zA-Z0-9_:]*+(?!\\s*\\()");

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan", "atan2");

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\s*\\((.*)\\)\\s*$");

    final JsonNode json;

    private Dashboard(JsonNode json) {
        this.json = json;
    }

    static Dashboard load() {
        if (!Files.isRegularFile(FILE)) {
            throw new AssertionError("No dashboard at " + FILE.toAbsolutePath().normalize()
                    + "; the test runs from the sample-app module and expects dashboards/ beside it");
        }
        return new Dashboard(Http.JSON.readTree(FILE.toFile()));
    }

    /** Every panel, those nested in collapsed rows included, in file order. */
    List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : json.get("panels")) {
            panels.add(panel);
            JsonNode nested = panel.get("panels");
            if (nested != null) {
                nested.forEach(panels::add);
            }
        }
        return panels;
    }

    /** Every PromQL expression: panel targets' {@code expr} and template variables' {@code label_values} metric. */
    List<String> expressions() {
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : panels()) {
            JsonNode targets = panel.get("targets");
            if (targets != null) {
                targets.forEach(target -> expressions.add(target.get("expr").asString()));
            }
        }
        for (JsonNode variable : json.get("templating").get("list")) {
            if ("query".equals(variable.get("type").asString())) {
                JsonNode query = variable.get("query");
                String text = query.isObject() ? query.get("query").asString() : query.asString();
                Matcher labelValues = LABEL_VALUES.matcher(text.trim());
                if (labelValues.find()) {
                    String arguments = labelValues.group(1);
                    int comma = arguments.lastIndexOf(',');
                    expressions.add(comma < 0 ? arguments : arguments.substring(0, comma));
                } else {
                    expressions.add(text);
                }
            }
        }
        return expressions;
    }

    /** The metric names all expressions use, sorted. */
    SortedSet<String> metricNames() {
        SortedSet<String> names = new TreeSet<>();
        expressions().forEach(expression -> names.addAll(metricNames(expression)));
        return names;
    }

    /**
     * The metric names one PromQL expression selects, exactly as written (suffixes such as {@code _bucket},
     * {@code _sum}, {@code _count}, {@code _total} and {@code _max} are part of the series name in the scrape):
     * string literals, label matchers, ranges, grouping clauses, function names, keywords, numbers and Grafana
     * variables are not metric names.
     */
    static Set<String> metricNames(String expression) {
        String rest = STRING.matcher(expression).replaceAll(" ");
        rest = MATCHERS.matcher(rest).replaceAll(" ");
        rest = RANGES.matcher(rest).replaceAll(" ");
        rest = GROUPING.matcher(rest).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher identifier = IDENTIFIER.matcher(rest);
        while (identifier.find()) {
            String name = identifier.group();
            if (!KEYWORDS.contains(name.toLowerCase())) {
                names.add(name);
            }
        }
        return names;
    }
}
