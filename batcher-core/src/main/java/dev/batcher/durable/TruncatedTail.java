package dev.batcher.durable;

import java.nio.file.Path;

/**
 * A torn or corrupt tail that {@link DurableLog#open} found and cut off: a crash in the middle of a write, a record
 * whose checksum does not match, or bytes after the end of the log. Every record before {@link #offset()} is kept
 * and replayed; what followed in that file is gone.
 *
 * @param file the segment or acknowledgement file
 * @param offset the byte offset the file was truncated at (the end of its last valid record)
 * @param bytesDropped how many bytes were cut off
 * @param recordsKept how many valid records the file kept
 * @param reason what was wrong, for example {@code checksum mismatch}
 */
public record TruncatedTail(Path file, long offset, long bytesDropped, long recordsKept, String reason) {

    @Override
    public String toString() {
        return "truncated " + file + " at byte " + offset + " (" + bytesDropped + " bytes dropped, " + recordsKept
                + " records kept): " + reason;
    }
}
