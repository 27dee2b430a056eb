package dev.batcher.durable;

/**
 * Turns items into the bytes a durable buffer stores and back. The Spring starter uses Jackson for the sink's item
 * type; in plain Java, give one to {@code DispatcherConfig.Builder.durableBuffer}.
 *
 * <p>Decode must accept everything encode produced by earlier versions of the application that may have left items
 * on disk: keep the format compatible across deployments, or drain the buffer (a clean {@code close()}) before
 * changing it.
 *
 * @param <T> the item type
 */
public interface ItemCodec<T> {

    /**
     * The bytes of an item.
     *
     * @param item the item
     * @return its bytes
     */
    byte[] encode(T item);

    /**
     * An item from its bytes.
     *
     * @param bytes what {@link #encode} returned
     * @return the item
     * @throws RuntimeException when the bytes cannot be read; the record is then skipped, logged and acknowledged
     */
    T decode(byte[] bytes);
}
