package dev.batcher.durable;

import java.nio.file.Path;

/**
 * An append needs a new segment file and the log is at {@code buffer.durable.max-bytes} (or the file system has no
 * room for one more segment). Nothing of the refused append was written. The caller applies its full behaviour:
 * wait for acknowledgements to reclaim segments (block), acknowledge the oldest unacknowledged records
 * ({@link DurableLog#oldestUnacknowledged(int)}, drop-oldest), or refuse the item (reject).
 */
public class DurableLogFullException extends DurableLogException {

    private static final long serialVersionUID = 1L;

    private final long bytesOnDisk;

    private final long bytesNeeded;

    /**
     * Creates the exception.
     *
     * @param directory the log's directory
     * @param bytesOnDisk bytes the log's files hold now
     * @param bytesNeeded bytes the refused append needed on top of that
     * @param message what limit was hit and how to get room
     */
    public DurableLogFullException(Path directory, long bytesOnDisk, long bytesNeeded, String message) {
        super(directory, message, null);
        this.bytesOnDisk = bytesOnDisk;
        this.bytesNeeded = bytesNeeded;
    }

    /** Bytes the log's files held when the append was refused. */
    public long getBytesOnDisk() {
        return bytesOnDisk;
    }

    /** Bytes the refused append needed on top of {@link #getBytesOnDisk()} (whole segments). */
    public long getBytesNeeded() {
        return bytesNeeded;
    }
}
