package dev.batcher.task;

import java.lang.reflect.Type;

/**
 * Turns arguments, results and progress values into bytes and back (dingo's {@code Marshaller}), and converts a value
 * to a worker's parameter type in local mode. The default is {@link #json()}. Implementations must be thread-safe, and
 * must treat payloads as data: never create a type named in the payload.
 */
public interface TaskMarshaller {

    /** Jackson JSON without default typing, refusing payloads that name a Java type. */
    static TaskMarshaller json() {
        return new JsonTaskMarshaller();
    }

    /**
     * Marshals a call's arguments.
     *
     * @param arguments the arguments as the caller gave them
     * @return the payload
     * @throws BadPayloadException when an argument cannot be marshalled
     */
    byte[] marshalArguments(Object[] arguments);

    /**
     * Unmarshals a call's arguments to the worker's parameter types.
     *
     * @param payload the payload from {@link #marshalArguments}
     * @param types the parameter types, one per argument
     * @return one value per type
     * @throws BadPayloadException when the payload is not data, has another number of arguments, or an argument does
     *     not convert
     */
    Object[] unmarshalArguments(byte[] payload, Type[] types);

    /**
     * Marshals a result or a progress value.
     *
     * @param value the value, possibly {@code null}
     * @return its bytes
     * @throws BadPayloadException when it cannot be marshalled
     */
    byte[] marshal(Object value);

    /**
     * Unmarshals a result or progress value.
     *
     * @param bytes bytes from {@link #marshal}
     * @param type the type wanted ({@code Object} for plain maps, lists, strings, numbers and booleans)
     * @return the value
     * @throws BadPayloadException when the bytes are not data or do not convert
     */
    Object unmarshal(byte[] bytes, Type type);

    /**
     * Converts a value to another type in memory (local mode, when an argument's type differs from the parameter's:
     * an {@code Integer} for a {@code long}, a {@code Map} for a record).
     *
     * @param value the value
     * @param type the type wanted
     * @return the converted value
     * @throws BadPayloadException when it does not convert
     */
    Object convert(Object value, Type type);
}
