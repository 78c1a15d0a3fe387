package dev.replication.api;

/**
 * A key or value is larger, after serialization, than the configured limit
 * ({@code replication.map.max-key-size} / {@code replication.map.max-value-size}); nothing was written.
 * Store large objects elsewhere and keep a reference in the map, or raise the limit on every node.
 */
public class EntryTooLargeException extends ReplicationException {

    private final long size;
    private final long limit;

    public EntryTooLargeException(String message, long size, long limit) {
        super(message);
        this.size = size;
        this.limit = limit;
    }

    /** The serialized size in bytes. */
    public long size() {
        return size;
    }

    /** The configured limit in bytes. */
    public long limit() {
        return limit;
    }
}
