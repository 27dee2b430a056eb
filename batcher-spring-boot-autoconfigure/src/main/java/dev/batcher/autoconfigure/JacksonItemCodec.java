package dev.batcher.autoconfigure;

import dev.batcher.durable.ItemCodec;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.ResolvableType;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The durable buffer's codec of the starter: an item as the JSON of its declared type (the {@code T} of the sink's
 * {@code List<T>}, generics included), written and read by the application's Jackson mapper with default typing
 * turned off, so that the log holds data only and a record can never name a class to instantiate.
 *
 * @param <T> the item type
 */
final class JacksonItemCodec<T> implements ItemCodec<T> {

    private final ObjectMapper mapper;

    private final JavaType type;

    /**
     * Creates the codec.
     *
     * @param mapper the application's mapper (a copy without default typing is used)
     * @param itemType the item type
     */
    JacksonItemCodec(ObjectMapper mapper, ResolvableType itemType) {
        this.mapper = mapper.rebuild().deactivateDefaultTyping().build();
        this.type = this.mapper.getTypeFactory().constructType(itemType.getType());
    }

    /**
     * The codec of an item type, with the context's {@code JsonMapper} (or its only {@code ObjectMapper}, or else
     * Jackson's defaults).
     *
     * @param beanFactory the context
     * @param itemType the item type
     * @param <T> the item type
     * @return the codec
     */
    static <T> ItemCodec<T> of(ListableBeanFactory beanFactory, ResolvableType itemType) {
        ObjectProvider<ObjectMapper> anyMapper = beanFactory.getBeanProvider(ObjectMapper.class);
        ObjectMapper mapper = beanFactory.getBeanProvider(JsonMapper.class).getIfUnique();
        if (mapper == null) {
            mapper = anyMapper.getIfUnique(JsonMapper::shared);
        }
        return new JacksonItemCodec<>(mapper, itemType);
    }

    @Override
    public byte[] encode(T item) {
        return this.mapper.writeValueAsBytes(item);
    }

    @Override
    public T decode(byte[] bytes) {
        return this.mapper.readValue(bytes, this.type);
    }

    @Override
    public String toString() {
        return "JSON of " + this.type.toCanonical();
    }
}
