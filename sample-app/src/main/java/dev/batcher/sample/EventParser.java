package dev.batcher.sample;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the body of {@code POST /events}: one event {@code {"type":"click","payload":"any text"}} or a JSON array of
 * them. Every problem is reported as an {@link InvalidEventException} whose message names the field and, for arrays,
 * the index, so that a client can fix its request without reading the server log. Unknown fields are ignored.
 */
final class EventParser {

    private static final String EXAMPLE = "{\"type\":\"click\",\"payload\":\"any text\"}";

    private final JsonMapper jsonMapper;

    private final Clock clock;

    private final int maxEvents;

    EventParser(JsonMapper jsonMapper, Clock clock, int maxEvents) {
        this.jsonMapper = jsonMapper;
        this.clock = clock;
        this.maxEvents = maxEvents;
    }

    /**
     * Parses a request body.
     *
     * @param body the raw body, possibly {@code null} or empty
     * @return the events, at least one, all stamped with the current time
     * @throws InvalidEventException when the body is not one event or a non-empty array of events
     * @throws TooManyEventsException when the array holds more than {@code sample.events.max-per-request} events
     */
    List<Event> parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new InvalidEventException("Request body is empty: send one event such as " + EXAMPLE
                    + " or a JSON array of them");
        }
        JsonNode root = readTree(body);
        if (root.isObject()) {
            return List.of(toEvent(root, ""));
        }
        if (!root.isArray()) {
            throw new InvalidEventException("Expected a JSON object such as " + EXAMPLE
                    + " or an array of them, got " + describe(root));
        }
        if (root.isEmpty()) {
            throw new InvalidEventException("The array is empty: send at least one event such as " + EXAMPLE);
        }
        if (root.size() > maxEvents) {
            throw new TooManyEventsException("The array holds " + root.size() + " events; one request may carry at most "
                    + maxEvents + " (sample.events.max-per-request), so split it into several requests");
        }
        List<Event> events = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            JsonNode node = root.get(i);
            String where = "events[" + i + "]: ";
            if (!node.isObject()) {
                throw new InvalidEventException(where + "expected a JSON object such as " + EXAMPLE + ", got "
                        + describe(node));
            }
            events.add(toEvent(node, where));
        }
        return events;
    }

    private JsonNode readTree(byte[] body) {
        try {
            return jsonMapper.readTree(body);
        } catch (JacksonException e) {
            TokenStreamLocation at = e.getLocation();
            String position = at != null && at.getLineNr() > 0
                    ? " at line " + at.getLineNr() + ", column " + at.getColumnNr() : "";
            throw new InvalidEventException("Malformed JSON" + position + ": " + e.getOriginalMessage());
        }
    }

    private Event toEvent(JsonNode node, String where) {
        JsonNode type = node.get("type");
        if (type == null || type.isNull()) {
            throw new InvalidEventException(where + "field 'type' is missing; every event needs a non-blank string "
                    + "'type', as in " + EXAMPLE);
        }
        if (!type.isString()) {
            throw new InvalidEventException(where + "field 'type' must be a string, got " + describe(type));
        }
        String typeText = type.stringValue();
        if (typeText.isBlank()) {
            throw new InvalidEventException(where + "field 'type' must not be blank");
        }
        if (typeText.length() > Event.MAX_TYPE_LENGTH) {
            throw new InvalidEventException(where + "field 'type' is " + typeText.length()
                    + " characters long; the limit is " + Event.MAX_TYPE_LENGTH);
        }
        JsonNode payload = node.get("payload");
        String payloadText = null;
        if (payload != null && !payload.isNull()) {
            if (!payload.isString()) {
                throw new InvalidEventException(where + "field 'payload' must be a string (or left out), got "
                        + describe(payload));
            }
            payloadText = payload.stringValue();
            if (payloadText.length() > Event.MAX_PAYLOAD_LENGTH) {
                throw new InvalidEventException(where + "field 'payload' is " + payloadText.length()
                        + " characters long; the limit is " + Event.MAX_PAYLOAD_LENGTH);
            }
        }
        return new Event(typeText, payloadText, clock.instant());
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT, POJO -> "an object";
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL, MISSING -> "null";
            case BINARY -> "binary data";
        };
    }

    /** The body holds more events than one request may carry. */
    static final class TooManyEventsException extends RequestTooLargeException {

        private static final long serialVersionUID = 1L;

        TooManyEventsException(String message) {
            super(message);
        }
    }
}
