package dev.replication.api;

/**
 * Writes carrying one caller-chosen idempotency key (Idempotent Receiver), obtained from
 * {@link ReplicatedMap#withIdempotencyKey(String)}.
 *
 * <p>A key identifies one logical request. The first write carrying it is applied once; a retry
 * carrying the same key and the same request (same operation, key, value and expected version),
 * through any node and across leader changes, is not applied again and returns the first
 * result, including a first {@link VersionConflictException}. The same key with a different
 * request fails with {@link IdempotencyKeyConflictException}.
 *
 * <p>What the cluster remembers of a key is compact: the request's fingerprint and the versions
 * of its answer, never a value. So these writes answer with versions (and the caller's own value),
 * never with a previous value, and a retry answers exactly what the first call did.
 *
 * <p>A key is remembered for the idempotency retention (24 hours of log time by default), and at
 * most a bounded number of keys are (200,000 by default, the oldest forgotten first when more
 * arrive); both are the cluster's, set by the leader's configuration. A retry whose key was
 * forgotten, by age or by the bound, is applied again as a new request: keep the retention
 * longer than any client's retry window, and the bound above the number of keyed writes in that
 * window.
 *
 * <p>A key has at most {@value #MAX_KEY_BYTES} bytes (UTF-8); a longer one is refused by
 * {@link ReplicatedMap#withIdempotencyKey} with {@link EntryTooLargeException}.
 *
 * <p>Instances are immutable and thread-safe; use one per logical request.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface IdempotentWrites<K, V> {

    /** The longest idempotency key, in UTF-8 bytes. */
    int MAX_KEY_BYTES = 256;

    /** As {@link ReplicatedMap#putVersioned}: the stored value with the version of this write. */
    Versioned<V> putVersioned(K key, V value);

    /** As {@link ReplicatedMap#putIfVersion}. */
    Versioned<V> putIfVersion(K key, V value, long expectedVersion);

    /**
     * Removes {@code key} if present.
     *
     * @return whether a value was present and removed by this write (a retry answers the same)
     */
    boolean remove(K key);

    /**
     * As {@link ReplicatedMap#removeIfVersion}, answering nothing: the removed value had
     * {@code expectedVersion}.
     */
    void removeIfVersion(K key, long expectedVersion);

    /** The idempotency key these writes carry. */
    String idempotencyKey();
}
