package dev.batcher.redis;

import dev.batcher.task.TaskMessage;
import dev.batcher.task.TaskReport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How {@link RedisTaskBroker} writes tasks and reports into Redis: data only, never a class name. A task is a stream
 * entry with the fields {@code id}, {@code attempt}, {@code reports} ({@code 1} or {@code 0}), {@code payload} (the
 * marshalled bytes as they are) and, for a delayed task, {@code not-before} (epoch ms). A report is one binary
 * value: version byte {@code 1}, kind and failure code names, time, message, task id, name and payload, each
 * length-prefixed (see {@code docs/task-broker-redis.md}).
 */
final class TaskCodec {

    static final byte[] ID = bytes("id");
    static final byte[] ATTEMPT = bytes("attempt");
    static final byte[] REPORTS = bytes("reports");
    static final byte[] PAYLOAD = bytes("payload");
    static final byte[] NOT_BEFORE = bytes("not-before");

    private static final byte VERSION = 1;

    private TaskCodec() {
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The stream fields of a task, in a stable order. */
    static Map<byte[], byte[]> fields(TaskMessage task) {
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        fields.put(ID, bytes(task.id()));
        fields.put(ATTEMPT, bytes(Integer.toString(task.attempt())));
        fields.put(REPORTS, bytes(task.reports() ? "1" : "0"));
        fields.put(PAYLOAD, task.payload());
        if (task.notBefore() != null) {
            fields.put(NOT_BEFORE, bytes(Long.toString(task.notBefore().toEpochMilli())));
        }
        return fields;
    }

    /**
     * Reads a task from its stream fields.
     *
     * @throws IllegalArgumentException when a field is missing or malformed (the entry was not written by a broker)
     */
    static TaskMessage task(String name, Map<byte[], byte[]> fields, int delivery) {
        String id = null;
        Integer attempt = null;
        Boolean reports = null;
        byte[] payload = null;
        Instant notBefore = null;
        for (Map.Entry<byte[], byte[]> field : fields.entrySet()) {
            switch (string(field.getKey())) {
                case "id" -> id = string(field.getValue());
                case "attempt" -> attempt = Integer.valueOf(string(field.getValue()));
                case "reports" -> reports = "1".equals(string(field.getValue()));
                case "payload" -> payload = field.getValue();
                case "not-before" -> notBefore = Instant.ofEpochMilli(Long.parseLong(string(field.getValue())));
                default -> {
                    // other fields (dead-letter annotations) are not part of the task
                }
            }
        }
        if (id == null || attempt == null || reports == null || payload == null) {
            throw new IllegalArgumentException("a task entry needs the fields id, attempt, reports and payload");
        }
        return new TaskMessage(id, name, payload, attempt, delivery, notBefore, reports);
    }

    /** The id field of a stream entry, or {@code null}. */
    static String idOf(Map<byte[], byte[]> fields) {
        for (Map.Entry<byte[], byte[]> field : fields.entrySet()) {
            if ("id".equals(string(field.getKey()))) {
                return string(field.getValue());
            }
        }
        return null;
    }

    static byte[] encode(TaskReport report) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + report.payload().length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(report.kind().name());
            out.writeUTF(report.failure() == null ? "" : report.failure().name());
            out.writeLong(report.at().getEpochSecond());
            out.writeInt(report.at().getNano());
            writeBytes(out, report.message() == null ? null : bytes(report.message()));
            writeBytes(out, bytes(report.taskId()));
            writeBytes(out, bytes(report.name()));
            writeBytes(out, report.payload());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a report written by {@link #encode}, from {@code offset} to the end of {@code data}.
     *
     * @throws IllegalArgumentException when the bytes are not a report
     */
    static TaskReport decode(byte[] data, int offset) {
        return decode(data, offset, data.length - offset);
    }

    /**
     * Reads a report written by {@link #encode} from {@code length} bytes of {@code data} at {@code offset}.
     *
     * @throws IllegalArgumentException when the bytes are not a report
     */
    static TaskReport decode(byte[] data, int offset, int length) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, offset, length))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("unknown report format version " + version);
            }
            TaskReport.Kind kind = TaskReport.Kind.valueOf(in.readUTF());
            String failure = in.readUTF();
            Instant at = Instant.ofEpochSecond(in.readLong(), in.readInt());
            byte[] message = readBytes(in);
            String taskId = string(readBytes(in));
            String name = string(readBytes(in));
            byte[] payload = readBytes(in);
            return new TaskReport(taskId, name, kind, payload,
                    failure.isEmpty() ? null : TaskReport.FailureCode.valueOf(failure),
                    message == null ? null : string(message), at);
        }
        catch (IOException | NullPointerException ex) {
            throw new IllegalArgumentException("not a task report: " + ex, ex);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(value.length);
        out.write(value);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        if (length > in.available()) {
            throw new IOException("length " + length + " past the end");
        }
        return in.readNBytes(length);
    }
}
