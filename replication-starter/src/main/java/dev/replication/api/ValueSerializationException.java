package dev.replication.api;

import org.jspecify.annotations.Nullable;

/**
 * A key or value could not be converted to or from JSON with the application's Jackson mapper,
 * or, on a write, would not read back as what was written (every write is checked so). On a
 * write nothing was sent to the cluster. Make the type round-trip (a record, a
 * {@code @JsonCreator} constructor, or a no-argument constructor with setters; or register a
 * module on the mapper) and check that the map's declared types match the stored data.
 */
public class ValueSerializationException extends ReplicationException {

    public ValueSerializationException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
