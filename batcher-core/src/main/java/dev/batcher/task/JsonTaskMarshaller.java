package dev.batcher.task;

import java.lang.reflect.Type;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;

/**
 * The default {@link TaskMarshaller}: Jackson 3 JSON. Arguments travel as a JSON array. Security: no default typing,
 * a polymorphic type validator that allows no subtype (so even a class annotated for class-name typing cannot be
 * instantiated from the wire), and any object key Jackson uses for class names ({@code @class}, {@code @c}) refuses
 * the whole payload before anything is converted. Unknown properties and {@code null} for primitives are refused.
 */
final class JsonTaskMarshaller implements TaskMarshaller {

    /** Object keys that name a Java class in Jackson's class-name type ids: a payload holding one is refused. */
    static final Set<String> TYPE_KEYS = Set.of("@class", "@c");

    private final JsonMapper mapper = JsonMapper.builder()
            .polymorphicTypeValidator(BasicPolymorphicTypeValidator.builder().build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    @Override
    public byte[] marshalArguments(Object[] arguments) {
        return marshal(arguments);
    }

    @Override
    public Object[] unmarshalArguments(byte[] payload, Type[] types) {
        JsonNode tree = read(payload);
        if (!tree.isArray()) {
            throw new BadPayloadException("The arguments must be a JSON array (was " + tree.getNodeType() + ")", null);
        }
        if (tree.size() != types.length) {
            throw new BadPayloadException("The payload has " + tree.size() + " argument(s); the worker takes "
                    + types.length, null);
        }
        Object[] arguments = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            arguments[i] = toValue(tree.get(i), types[i], "argument " + (i + 1));
        }
        return arguments;
    }

    @Override
    public byte[] marshal(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        }
        catch (JacksonException ex) {
            throw new BadPayloadException("Cannot write " + value.getClass().getName() + " as JSON: "
                    + ex.getOriginalMessage(), ex);
        }
    }

    @Override
    public Object unmarshal(byte[] bytes, Type type) {
        return toValue(read(bytes), type, "the value");
    }

    @Override
    public Object convert(Object value, Type type) {
        JsonNode tree;
        try {
            tree = mapper.valueToTree(value);
        }
        catch (JacksonException ex) {
            throw new BadPayloadException("Cannot convert " + value.getClass().getName() + " to " + type.getTypeName()
                    + ": " + ex.getOriginalMessage(), ex);
        }
        refuseTypeKeys(tree);
        return toValue(tree, type, "the value");
    }

    private JsonNode read(byte[] bytes) {
        JsonNode tree;
        try {
            tree = mapper.readTree(bytes);
        }
        catch (JacksonException ex) {
            throw new BadPayloadException("The payload is not valid JSON: " + ex.getOriginalMessage(), ex);
        }
        if (tree == null || tree.isMissingNode()) {
            throw new BadPayloadException("The payload is empty", null);
        }
        refuseTypeKeys(tree);
        return tree;
    }

    private Object toValue(JsonNode node, Type type, String what) {
        if (type == void.class || type == Void.class) {
            return null;
        }
        try {
            return mapper.treeToValue(node, mapper.getTypeFactory().constructType(type));
        }
        catch (JacksonException ex) {
            throw new BadPayloadException(what + " does not convert to " + type.getTypeName() + ": "
                    + ex.getOriginalMessage(), ex);
        }
    }

    /** Refuses any object, at any depth, with a key that names a Java class. */
    private static void refuseTypeKeys(JsonNode node) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                if (TYPE_KEYS.contains(property.getKey())) {
                    throw new BadPayloadException("The payload names a Java type (key '" + property.getKey()
                            + "'): payloads are data, never types, and are refused", null);
                }
                refuseTypeKeys(property.getValue());
            }
        }
        else if (node.isArray()) {
            for (Iterator<JsonNode> it = node.iterator(); it.hasNext();) {
                refuseTypeKeys(it.next());
            }
        }
    }
}
