package dev.replication.api;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The read operations of a {@link ReplicatedMap}, served at one {@link ReadConsistency}. Obtained
 * from {@link ReplicatedMap#read(ReadConsistency)}; every call waits, if needed, until this node
 * may serve it at that consistency.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface ReplicatedMapReads<K, V> {

    /**
     * The value stored for {@code key}, or null when absent.
     *
     * @throws ReplicationUnavailableException when this node cannot serve the read at this
     *     consistency in time (no reachable leader, or far behind); nothing was read
     */
    @Nullable
    V get(K key);

    /** The value with its version and timestamp, or null when absent. */
    @Nullable
    Versioned<V> getVersioned(K key);

    /** Whether {@code key} is present. */
    boolean containsKey(K key);

    /**
     * A read-only snapshot, ordered by key, of the entries whose key starts with {@code prefix}.
     * Only for maps whose key type is {@code String}; the snapshot is consistent (taken at one
     * applied log index).
     *
     * @throws UnsupportedOperationException for maps whose key type is not {@code String}
     */
    Map<K, Versioned<V>> scan(String prefix);

    /** A read-only snapshot of every entry, taken at one applied log index. */
    Map<K, V> snapshot();
}
