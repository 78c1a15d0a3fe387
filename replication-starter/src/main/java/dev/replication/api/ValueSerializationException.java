package dev.replication.api;

/**
 * A key or value could not be converted to or from JSON with the application's Jackson mapper.
 * On a write nothing was sent to the cluster. Make the type serializable (or register a module
 * on the mapper) and check that the map's declared types match the stored data.
 */
public class ValueSerializationException extends ReplicationException {

    public ValueSerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
