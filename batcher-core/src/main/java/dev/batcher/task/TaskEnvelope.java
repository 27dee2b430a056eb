package dev.batcher.task;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What a remote call's {@link TaskMessage#payload()} holds: a 13-byte header with the call's options that the worker
 * needs (max attempts and per-attempt timeout), then the marshaller's bytes of the arguments. The broker treats it
 * as opaque bytes.
 *
 * <pre>
 * byte 0      version (1)
 * bytes 1-4   max attempts, big-endian int (-1: unlimited)
 * bytes 5-12  timeout in milliseconds, big-endian long
 * bytes 13-   the arguments, as the marshaller wrote them
 * </pre>
 *
 * @param maxAttempts attempts including the first
 * @param timeoutMillis the longest one attempt may run
 * @param arguments the marshalled arguments
 */
record TaskEnvelope(int maxAttempts, long timeoutMillis, byte[] arguments) {

    static final byte VERSION = 1;
    static final int HEADER = 13;

    byte[] encode() {
        return ByteBuffer.allocate(HEADER + arguments.length).put(VERSION).putInt(maxAttempts).putLong(timeoutMillis)
                .put(arguments).array();
    }

    /** Reads a payload; a {@link BadPayloadException} if it is not one this version wrote. */
    static TaskEnvelope decode(byte[] payload) {
        if (payload.length < HEADER || payload[0] != VERSION) {
            throw new BadPayloadException("The payload is not a task queue envelope of version " + VERSION
                    + " (was " + payload.length + " bytes" + (payload.length > 0 ? ", version " + payload[0] : "")
                    + ")", null);
        }
        ByteBuffer buffer = ByteBuffer.wrap(payload);
        buffer.get();
        int maxAttempts = buffer.getInt();
        long timeoutMillis = buffer.getLong();
        if (maxAttempts == 0 || maxAttempts < -1 || timeoutMillis <= 0) {
            throw new BadPayloadException("The payload's header is invalid (max attempts " + maxAttempts
                    + ", timeout " + timeoutMillis + " ms)", null);
        }
        return new TaskEnvelope(maxAttempts, timeoutMillis, Arrays.copyOfRange(payload, HEADER, payload.length));
    }
}
