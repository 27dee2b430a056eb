package dev.batcher.sample;

import tools.jackson.databind.JsonNode;

/**
 * Reads dispatcher {@code events} out of the {@code /actuator/batchers} JSON, tolerating the two usual shapes: a map
 * keyed by instance name (possibly under {@code "batchers"} or {@code "instances"}), or an array of objects with a
 * {@code "name"} field.
 */
final class Endpoint {

    private Endpoint() {
    }

    static JsonNode events(JsonNode root) {
        return find(root, "events", 0);
    }

    private static JsonNode find(JsonNode node, String name, int depth) {
        if (node == null || depth > 3) {
            return null;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (element.isObject() && name.equals(element.path("name").asString(null))) {
                    return element;
                }
            }
            return null;
        }
        if (node.isObject()) {
            JsonNode direct = node.get(name);
            if (direct != null && direct.isObject()) {
                return direct;
            }
            for (JsonNode child : node) {
                JsonNode found = find(child, name, depth + 1);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** A numeric field found anywhere in {@code node} (totals may be nested, e.g. under "totals" or "stats"). */
    static long number(JsonNode node, String field) {
        JsonNode value = node.findValue(field);
        if (value == null || !value.isNumber()) {
            throw new AssertionError("no numeric '" + field + "' in " + node);
        }
        return value.asLong();
    }

    static boolean hasNumber(JsonNode node, String... fields) {
        for (String field : fields) {
            JsonNode value = node.findValue(field);
            if (value != null && value.isNumber()) {
                return true;
            }
        }
        return false;
    }
}
