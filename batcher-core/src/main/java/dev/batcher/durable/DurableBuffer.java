package dev.batcher.durable;

import java.util.Objects;

/**
 * A durable buffer's settings for an engine: where and how its log is kept, and how items become bytes.
 *
 * @param options the log's options ({@code buffer.durable.*})
 * @param codec turns items into bytes and back
 * @param <T> the item type
 */
public record DurableBuffer<T>(DurableLogOptions options, ItemCodec<T> codec) {

    /** Checks the parts. */
    public DurableBuffer {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(codec, "codec");
    }
}
