package dev.batcher.durable;

/** Receives the records {@link DurableLog#replay} delivers, in append order. */
@FunctionalInterface
public interface RecordConsumer {

    /**
     * One unacknowledged record.
     *
     * @param position the record's position, to {@link DurableLog#ack(long) acknowledge} it by
     * @param item the bytes that were appended (a fresh array the consumer may keep)
     */
    void accept(long position, byte[] item);
}
