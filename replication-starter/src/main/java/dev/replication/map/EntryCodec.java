package dev.replication.map;

import dev.replication.api.EntryTooLargeException;
import dev.replication.api.ValueSerializationException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a map's keys or values into the bytes stored in the log and back. {@code String} keys are
 * their UTF-8 bytes (so prefixes of keys are prefixes of bytes); everything else is JSON written
 * by the application's Jackson mapper with map entries ordered by key, so equal values give equal
 * bytes on every node (what idempotent retries compare).
 *
 * <p>Every JSON item is checked before it is written: it must read back and serialize again to
 * the same JSON ({@link JsonRoundTrip}), and a bean without properties is refused rather than
 * stored as {@code {}}. Otherwise the write would succeed and the data be lost, or every later
 * read fail.
 */
final class EntryCodec<T> {

    private final String mapName;
    private final String role;
    private final JavaType type;
    private final boolean utf8String;
    private final ObjectWriter writer;
    private final ObjectReader reader;
    private final JsonRoundTrip roundTrip;
    private final int maxBytes;
    private final String limitProperty;

    private EntryCodec(
            String mapName,
            String role,
            JsonMapper mapper,
            Type type,
            boolean utf8String,
            int maxBytes,
            String limitProperty) {
        this.mapName = mapName;
        this.role = role;
        this.maxBytes = maxBytes;
        this.limitProperty = limitProperty;
        this.type = mapper.getTypeFactory().constructType(type);
        this.utf8String = utf8String;
        // An object without properties would be stored as {} and its fields lost.
        this.writer = mapper.writerFor(this.type)
                .with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .with(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        this.reader = mapper.readerFor(this.type);
        this.roundTrip = new JsonRoundTrip(mapper);
    }

    static <K> EntryCodec<K> forKeys(String mapName, JsonMapper mapper, Type keyType, int maxBytes) {
        return new EntryCodec<>(
                mapName, "key", mapper, keyType, keyType == String.class, maxBytes, "replication.map.max-key-size");
    }

    static <V> EntryCodec<V> forValues(String mapName, JsonMapper mapper, Type valueType, int maxBytes) {
        return new EntryCodec<>(mapName, "value", mapper, valueType, false, maxBytes, "replication.map.max-value-size");
    }

    /** Whether the bytes are the UTF-8 of a {@code String}, so byte prefixes are string prefixes. */
    boolean isUtf8String() {
        return utf8String;
    }

    /** Whether {@code candidate} can be a key or value of this map (as {@code Map.get(Object)} must check). */
    boolean accepts(Object candidate) {
        return type.getRawClass().isInstance(candidate);
    }

    byte[] encode(T item) {
        if (item == null) {
            throw new NullPointerException("replicated map '" + mapName + "' does not accept a null " + role
                    + "; remove the key instead of storing null");
        }
        byte[] bytes = serialize(item);
        if (bytes.length > maxBytes) {
            throw new EntryTooLargeException(
                    "replicated map '" + mapName + "': a " + role + " of " + bytes.length
                            + " bytes (serialized) is over the limit of " + maxBytes + " bytes (" + limitProperty
                            + "); nothing was written. Keep large objects elsewhere and store a reference, or raise the"
                            + " limit on every node.",
                    bytes.length,
                    maxBytes);
        }
        if (!utf8String) {
            requireRoundTrip(item, bytes);
        }
        return bytes;
    }

    /** Reads {@code bytes} back and writes them again: what is stored must be what a read returns. */
    private void requireRoundTrip(T item, byte[] bytes) {
        byte[] again;
        try {
            again = writer.writeValueAsBytes(reader.readValue(bytes));
        } catch (JacksonException | IllegalArgumentException e) {
            String reason = e instanceof JacksonException jackson ? jackson.getOriginalMessage() : e.getMessage();
            throw new ValueSerializationException(
                    "replicated map '" + mapName + "': a " + role + " of "
                            + item.getClass().getName() + " does not read back as " + type.toCanonical() + ": " + reason
                            + "; nothing was written. Give the type a way to be created from JSON (a record, a"
                            + " @JsonCreator constructor, or a no-argument constructor with setters)",
                    e);
        }
        String lost = roundTrip.difference(bytes, again);
        if (lost != null) {
            throw new ValueSerializationException(
                    "replicated map '" + mapName + "': a " + role + " of "
                            + item.getClass().getName() + " " + lost + " when read back as " + type.toCanonical()
                            + "; nothing was written. Every property Jackson writes must also be read (a setter or a"
                            + " creator parameter for each getter), or be left out with @JsonIgnore",
                    null);
        }
    }

    private byte[] serialize(T item) {
        if (utf8String) {
            return ((String) item).getBytes(StandardCharsets.UTF_8);
        }
        try {
            return writer.writeValueAsBytes(item);
        } catch (JacksonException | IllegalArgumentException e) {
            String reason = e instanceof JacksonException jackson ? jackson.getOriginalMessage() : e.getMessage();
            throw new ValueSerializationException(
                    "replicated map '" + mapName + "' could not serialize a " + role
                            + " of " + item.getClass().getName() + " as " + type.toCanonical() + ": " + reason
                            + "; nothing was written. Make the type serializable by the application's Jackson mapper"
                            + " (getters or @JsonProperty, or a registered module).",
                    e);
        }
    }

    @SuppressWarnings("unchecked")
    T decode(byte[] bytes) {
        if (utf8String) {
            return (T) new String(bytes, StandardCharsets.UTF_8);
        }
        try {
            return reader.readValue(bytes);
        } catch (JacksonException e) {
            throw new ValueSerializationException(
                    "replicated map '" + mapName + "' holds a " + role
                            + " that cannot be read as " + type.toCanonical() + ": " + e.getOriginalMessage()
                            + ". Either it was"
                            + " written with another type for this map (by another node, or an earlier version of the"
                            + " application): declare the same types everywhere, or migrate the data; or the type"
                            + " cannot be read back by the application's Jackson mapper (it needs a record, a"
                            + " @JsonCreator constructor, or a no-argument constructor with setters), which writes"
                            + " now refuse",
                    e);
        }
    }
}
