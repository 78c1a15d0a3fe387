package dev.replication.api;

import org.jspecify.annotations.Nullable;

/**
 * Writes carrying one caller-chosen idempotency key (Idempotent Receiver), obtained from
 * {@link ReplicatedMap#withIdempotencyKey(String)}.
 *
 * <p>A key identifies one logical request. The first write carrying it is applied once; a retry
 * carrying the same key and the same request (same operation, key, value and expected version),
 * through any node and across leader changes, is not applied again and returns the first
 * result, including a first {@link VersionConflictException}. The same key with a different
 * request fails with {@link IdempotencyKeyConflictException}. Keys are kept for the
 * state machine's idempotency retention (24 hours of log time by default), which must be longer
 * than any client's retry window: a retry after that is applied as a new request.
 *
 * <p>Instances are immutable and thread-safe; use one per logical request.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface IdempotentWrites<K, V> {

    /** As {@link ReplicatedMap#put}: the previous value, or null. */
    @Nullable V put(K key, V value);

    /** As {@link ReplicatedMap#putVersioned}. */
    Versioned<V> putVersioned(K key, V value);

    /** As {@link ReplicatedMap#putIfVersion}. */
    Versioned<V> putIfVersion(K key, V value, long expectedVersion);

    /** As {@link ReplicatedMap#remove(Object)}: the previous value, or null. */
    @Nullable V remove(K key);

    /** As {@link ReplicatedMap#removeIfVersion}. */
    V removeIfVersion(K key, long expectedVersion);

    /** The idempotency key these writes carry. */
    String idempotencyKey();
}
