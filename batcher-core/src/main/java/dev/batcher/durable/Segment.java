package dev.batcher.durable;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.zip.CRC32C;

/**
 * One segment file {@code <first position, 20 digits>.seg} and its acknowledgement file {@code .ack}, the on-disk
 * format (see {@code docs/durable-buffer.md}) and the scanner that validates and reads them.
 *
 * <p>Segment: a 16-byte header (int magic, int version, long first position), then records: int length, int CRC32C
 * (of the position's 8 bytes, the length's 4 bytes and the item), the item's bytes. A record's position is the first
 * position plus its index; it is not stored, but the checksum covers it, so a record of a file's earlier life (a
 * reused segment file) fails it. Version 1 (still read) stored the position: int length, int CRC32C (of the length,
 * the position and the item), long position, the item. A length of 0 (the zeros of the pre-allocated space) ends the
 * segment. Acknowledgement file: entries of int count, int CRC32C (of
 * the count's 4 bytes and the body), then the body. The count's sign tells the kind of entry: a negative count is a
 * range entry (the current format) of {@code -count} ranges, each a long first position and an int length (a batch
 * of consecutive positions is 12 bytes); a positive count is a position entry (the first format, still read) of
 * {@code count} longs, each position acknowledged.
 */
final class Segment {

    static final int MAGIC = 0x4254_4C47;
    /** The format appends write: 8-byte record headers, the position implied by the record's index. */
    static final int VERSION = 2;
    /** The first format, still read: 16-byte record headers with the position stored. */
    static final int VERSION_1 = 1;
    static final int HEADER_BYTES = 16;
    static final int RECORD_HEADER_BYTES = 8;
    static final int RECORD_HEADER_BYTES_V1 = 16;
    static final int ACK_HEADER_BYTES = 8;
    /** A range in a range entry: long first position, int length. */
    static final int ACK_RANGE_BYTES = 12;
    static final String SEGMENT_SUFFIX = ".seg";
    static final String ACK_SUFFIX = ".ack";

    final long firstPosition;
    final Path file;
    final Path ackFile;

    // The write side: guarded by the log's append lock. Once the segment is sealed, the sync (its lock) unmaps the map.
    /**
     * Where appends write: the whole segment for a staged one; for a segment mapped from its disk file, a window of it
     * that starts at {@link #mapOffset}, moved by each sync (see {@code DurableLog#moveWindow}).
     */
    MappedByteBuffer map;
    /** The offset in the segment of {@link #map}'s first byte. */
    int mapOffset;
    /**
     * With a staging directory: the file on tmpfs that {@link #map} maps (appends write there, and it survives a crash
     * of the process); each sync copies what was appended to {@link #file} on disk. {@code null} for a segment mapped
     * from its disk file.
     */
    Path stagedFile;
    /**
     * The channel of {@link #file} on disk: syncs force it (and write a staged segment's records into it). Closed once
     * the segment is sealed and forced, or reclaimed.
     */
    FileChannel channel;
    int writeOffset;
    /** Records in the segment; written under the append lock (with {@link #COUNT}, release), read by acks. */
    volatile int count;

    /** {@link #count}, for its release writes on the append path. */
    static final java.lang.invoke.VarHandle COUNT;

    static {
        try {
            COUNT = java.lang.invoke.MethodHandles.lookup().findVarHandle(Segment.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** No more records will be appended (set under the append lock). */
    volatile boolean sealed;
    /** Bytes up to which the map was forced (sync lock). */
    int forcedOffset;
    /** Bytes of the segment file counted in the log's disk use. */
    long fileBytes;

    // The acknowledgement side: guarded by the log's ack lock.
    final BitSet acked = new BitSet();
    int ackedCount;
    FileChannel ackChannel;
    long ackBytes;
    boolean deleted;
    /**
     * Acknowledged ranges not written to the acknowledgement file yet (the log writes them with its next fsync):
     * pairs of index (from the first position) and length, {@link #pendingAckInts} ints in use.
     */
    int[] pendingAcks = new int[8];
    int pendingAckInts;

    Segment(Path directory, long firstPosition) {
        this.firstPosition = firstPosition;
        String name = name(firstPosition);
        this.file = directory.resolve(name + SEGMENT_SUFFIX);
        this.ackFile = directory.resolve(name + ACK_SUFFIX);
    }

    static String name(long firstPosition) {
        return String.format("%020d", firstPosition);
    }

    /** The first position a file name stands for, or -1 if it is not a name of this format. */
    static long parse(String fileName, String suffix) {
        if (!fileName.endsWith(suffix) || fileName.length() != 20 + suffix.length()) {
            return -1;
        }
        try {
            return Long.parseLong(fileName.substring(0, 20));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    boolean fullyAcknowledged() {
        return sealed && ackedCount == count;
    }

    /**
     * The checksum a record of the current format stores: CRC32C of its position (implied by the record's index, not
     * stored), its length and its bytes. The appender and the scan both use it, so they cannot disagree on what it
     * covers.
     *
     * @param crc reset and used here
     * @param scratch at least 12 bytes, backed by an array
     */
    static int recordChecksum(CRC32C crc, ByteBuffer scratch, long position, byte[] item) {
        crc.reset();
        crc.update(scratch.putLong(0, position).putInt(Long.BYTES, item.length).array(), 0, Long.BYTES + Integer.BYTES);
        crc.update(item, 0, item.length);
        return (int) crc.getValue();
    }

    /**
     * Marks the indexes {@code [from, to)} acknowledged; with {@code pending}, the ones that were not acknowledged yet
     * are also kept as ranges to write to the acknowledgement file. Holds the log's ack lock.
     *
     * @return how many were newly acknowledged
     */
    int acknowledge(int from, int to, boolean pending) {
        int newly = 0;
        for (int i = acked.nextClearBit(from); i < to; i = acked.nextClearBit(i)) {
            int end = acked.nextSetBit(i);
            if (end < 0 || end > to) {
                end = to;
            }
            acked.set(i, end);
            if (pending) {
                addPendingAck(i, end - i);
            }
            newly += end - i;
            i = end;
        }
        ackedCount += newly;
        return newly;
    }

    /** Keeps a range to write, merged with the last one when they touch (FIFO batches follow each other). */
    private void addPendingAck(int from, int length) {
        int n = pendingAckInts;
        if (n > 0) {
            int lastFrom = pendingAcks[n - 2];
            int lastLength = pendingAcks[n - 1];
            if (lastFrom + lastLength == from) {
                pendingAcks[n - 1] = lastLength + length;
                return;
            }
            if (from + length == lastFrom) {
                pendingAcks[n - 2] = from;
                pendingAcks[n - 1] = lastLength + length;
                return;
            }
        }
        if (n == pendingAcks.length) {
            pendingAcks = java.util.Arrays.copyOf(pendingAcks, n * 2);
        }
        pendingAcks[n] = from;
        pendingAcks[n + 1] = length;
        pendingAckInts = n + 2;
    }

    /** What a scan found: the valid records and where they end; {@code problem} is null for a clean end. */
    record Scan(long records, long validEnd, long fileSize, String problem) {
    }

    /** Receives the records of a scan. */
    interface Visitor {
        void record(long position, byte[] item);
    }

    /**
     * Reads a segment file from the start, checking every record, up to {@code limit} records or the first
     * invalid one.
     */
    static Scan scan(Path file, long firstPosition, long limit, Visitor visitor) throws IOException {
        long size = Files.size(file);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (size < HEADER_BYTES) {
                return new Scan(0, 0, size, size == 0 ? "the segment file is empty" : "the segment header is cut off");
            }
            int magic = in.readInt();
            int version = in.readInt();
            long first = in.readLong();
            if (magic == 0 && version == 0 && first == 0) {
                // renamed from the prepared file, then a crash before its header was written: empty, not torn
                return end(in, 0, 0, size, "the segment header is not valid (zeros, then data)");
            }
            if (magic != MAGIC || (version != VERSION && version != VERSION_1) || first != firstPosition) {
                return new Scan(0, 0, size, "the segment header is not valid (magic " + Integer.toHexString(magic)
                        + ", version " + version + ", first position " + first + ")");
            }
            long offset = HEADER_BYTES;
            long records = 0;
            CRC32C crc = new CRC32C();
            boolean v1 = version == VERSION_1;
            int headerBytes = v1 ? RECORD_HEADER_BYTES_V1 : RECORD_HEADER_BYTES;
            byte[] header = new byte[headerBytes];
            ByteBuffer h = ByteBuffer.wrap(header);
            ByteBuffer covered = ByteBuffer.allocate(Long.BYTES + Integer.BYTES);
            while (records < limit && offset < size) {
                if (size - offset < headerBytes) {
                    return end(in, records, offset, size, "a record header is cut off");
                }
                in.readFully(header);
                int length = h.getInt(0);
                if (length == 0) {
                    if (h.getInt(4) != 0 || (v1 && h.getLong(8) != 0)) {
                        return new Scan(records, offset, size, "a record has a length of 0");
                    }
                    return end(in, records, offset, size, "bytes follow the end of the log");
                }
                if (length < 0 || length > size - offset - headerBytes) {
                    return new Scan(records, offset, size, length < 0 ? "a record has a negative length"
                            : "a record is cut off (" + length + " bytes announced, "
                                    + (size - offset - headerBytes) + " left)");
                }
                byte[] item = new byte[length];
                in.readFully(item);
                long expected = firstPosition + records;
                int checksum;
                if (v1) {
                    crc.reset();
                    crc.update(header, 0, 4);
                    crc.update(header, 8, 8);
                    crc.update(item);
                    checksum = (int) crc.getValue();
                } else {
                    checksum = recordChecksum(crc, covered, expected, item);
                }
                if (checksum != h.getInt(4)) {
                    return new Scan(records, offset, size, "checksum mismatch");
                }
                if (v1) {
                    long position = h.getLong(8);
                    if (position < firstPosition) {
                        // A record of the file's earlier life (a recycled segment file): the log ends here, cleanly.
                        return new Scan(records, offset, size, null);
                    }
                    if (position != expected) {
                        return new Scan(records, offset, size,
                                "position " + position + " where " + expected + " was expected");
                    }
                }
                if (visitor != null) {
                    visitor.record(expected, item);
                }
                offset += headerBytes + length;
                records++;
            }
            return new Scan(records, offset, size, null);
        }
    }

    /** The log ends at {@code offset}: clean if only zeros follow, else a torn tail. */
    private static Scan end(InputStream in, long records, long offset, long size, String problem) throws IOException {
        byte[] chunk = new byte[1 << 16];
        int n;
        while ((n = in.read(chunk)) > 0) {
            for (int i = 0; i < n; i++) {
                if (chunk[i] != 0) {
                    return new Scan(records, offset, size, problem);
                }
            }
        }
        return new Scan(records, offset, size, null);
    }

    /** Receives acknowledged positions. */
    interface AckVisitor {
        /** The {@code count} positions from {@code first} on are acknowledged. */
        void acked(long first, int count);
    }

    /** Reads an acknowledgement file (range and position entries) up to its first invalid entry. */
    static Scan scanAcks(Path file, AckVisitor visitor) throws IOException {
        long size = Files.size(file);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            long offset = 0;
            long entries = 0;
            CRC32C crc = new CRC32C();
            while (offset < size) {
                if (size - offset < ACK_HEADER_BYTES) {
                    return new Scan(entries, offset, size, "an acknowledgement header is cut off");
                }
                int count = in.readInt();
                int stored = in.readInt();
                boolean ranges = count < 0;
                long bodyBytes = ranges ? -(long) count * ACK_RANGE_BYTES : (long) count * Long.BYTES;
                if (count == 0 || bodyBytes > size - offset - ACK_HEADER_BYTES) {
                    return new Scan(entries, offset, size, count == 0 ? "an acknowledgement count is not valid"
                            : "an acknowledgement entry is cut off");
                }
                byte[] body = new byte[(int) bodyBytes];
                try {
                    in.readFully(body);
                } catch (EOFException e) {
                    return new Scan(entries, offset, size, "an acknowledgement entry is cut off");
                }
                crc.reset();
                crc.update(ByteBuffer.allocate(4).putInt(0, count).array());
                crc.update(body);
                if ((int) crc.getValue() != stored) {
                    return new Scan(entries, offset, size, "checksum mismatch");
                }
                ByteBuffer b = ByteBuffer.wrap(body);
                if (ranges) {
                    for (int i = 0; i < -count; i++) {
                        if (b.getInt(i * ACK_RANGE_BYTES + Long.BYTES) <= 0) {
                            return new Scan(entries, offset, size, "an acknowledged range has no positions");
                        }
                    }
                    for (int i = 0; i < -count; i++) {
                        visitor.acked(b.getLong(i * ACK_RANGE_BYTES), b.getInt(i * ACK_RANGE_BYTES + Long.BYTES));
                    }
                } else {
                    for (int i = 0; i < count; i++) {
                        visitor.acked(b.getLong(i * Long.BYTES), 1);
                    }
                }
                offset += ACK_HEADER_BYTES + bodyBytes;
                entries++;
            }
            return new Scan(entries, offset, size, null);
        }
    }
}
