package dev.replication.api;

import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A map replicated to every node of the cluster through the replicated log, declared with
 * {@link Replicated @Replicated}.
 *
 * <h2>Writes</h2>
 * Every write ({@code put}, {@code remove}, {@code putIfVersion}, ...) blocks until it is
 * committed (durable on a majority) and applied on this node, so a read on this node afterwards
 * sees it. A write sent from a follower is forwarded to the leader. A write fails with
 * <ul>
 *   <li>{@link NotAppliedException} when it certainly did not enter the log (no leader, no
 *       quorum): nothing changed, safe to retry;</li>
 *   <li>{@link OutcomeUnknownException} when it may or may not have been committed (timeout,
 *       leader lost mid-flight): read before retrying, or retry with an idempotency key;</li>
 *   <li>{@link ValueSerializationException} when the key or value cannot be serialized with
 *       the application's Jackson mapper, or would not read back as what was written (a type
 *       without properties, without a creator, or with a property that is written but never
 *       read): nothing was sent;</li>
 *   <li>{@link EntryTooLargeException} when the key, the value, the idempotency key or the
 *       whole entry is over its limit: nothing was sent.</li>
 * </ul>
 *
 * <h2>Atomic operations</h2>
 * {@code putIfAbsent}, {@code replace}, {@code remove(key, value)}, {@code compute},
 * {@code computeIfAbsent}, {@code computeIfPresent} and {@code merge} are atomic: each is a
 * compare-and-set on the entry's version in the log, retried on conflict, so there is never a
 * lost update. The remapping functions may therefore run more than once and must be free of
 * side effects. After a bounded number of conflicts the call fails with
 * {@link UpdateContentionException}. When such an operation decides to change nothing (for
 * example {@code putIfAbsent} on a present key) the decision is confirmed by a linearizable read
 * first, so it is never taken on a stale local copy.
 *
 * <h2>Reads</h2>
 * {@link #get}, {@link #getVersioned}, {@link #containsKey}, {@link #size} and the bulk views are
 * served from this node's applied state at once: on a follower they may lag behind the leader
 * (but always show this node's own acknowledged writes). Use
 * {@code read(ReadConsistency.LINEARIZABLE)} for a read that reflects every write acknowledged
 * anywhere before it started. {@link #keySet()}, {@link #values()} and {@link #entrySet()} are
 * read-only snapshots: changing them throws; write through the map.
 *
 * <h2>Bulk writes</h2>
 * {@link #putAll} and {@link #clear} are a sequence of single-key writes, not one atomic
 * operation: a failure part-way leaves the earlier writes applied.
 *
 * <p>Null keys and values are not allowed, as in every {@link ConcurrentMap}. Implementations
 * are thread-safe.
 *
 * @param <K> the key type; {@code String} keys are stored as their UTF-8 bytes (so they can be
 *     listed by prefix), other keys as JSON
 * @param <V> the value type, serialized as JSON with the application's Jackson mapper
 */
public interface ReplicatedMap<K, V> extends ConcurrentMap<K, V> {

    /** The map's name, as given to {@link Replicated @Replicated}. */
    String name();

    /**
     * The value for {@code key} from this node's applied state, or null when absent. May be
     * stale on a follower; see {@link #read(ReadConsistency)}.
     */
    @Override
    @Nullable
    V get(Object key);

    /** The value with its version and hybrid timestamp from this node's applied state, or null. */
    @Nullable
    Versioned<V> getVersioned(K key);

    /**
     * The read operations at {@code consistency}: {@code read(LINEARIZABLE).get(k)} reflects every
     * write acknowledged before the call, on any node; {@code read(STALE)} is the same as this
     * map's own reads.
     */
    ReplicatedMapReads<K, V> read(ReadConsistency consistency);

    /**
     * A read-only snapshot, ordered by key, of the entries whose key starts with {@code prefix},
     * from this node's applied state. Only for {@code String} keys.
     *
     * @throws UnsupportedOperationException for maps whose key type is not {@code String}
     */
    Map<K, Versioned<V>> scan(String prefix);

    /**
     * Stores {@code value} and returns it with the version (log index) and timestamp of this
     * write. Use it instead of {@link #put} when the caller needs the new version.
     */
    Versioned<V> putVersioned(K key, V value);

    /** As in {@link ConcurrentMap}: the previous value, or null when the key was absent. */
    @Override
    @Nullable
    V put(K key, V value);

    /** As in {@link ConcurrentMap}: the removed value, or null when the key was absent. */
    @Override
    @Nullable
    V remove(Object key);

    /** As in {@link ConcurrentMap}: the value already present (nothing written), or null when it was absent. */
    @Override
    @Nullable
    V putIfAbsent(K key, V value);

    /** As in {@link ConcurrentMap}: the previous value, or null when the key was absent (nothing written). */
    @Override
    @Nullable
    V replace(K key, V value);

    /**
     * Compare-and-set: stores {@code value} only if the key's current version is
     * {@code expectedVersion}; {@code 0} means "only if absent" (create only).
     *
     * @return the stored value with its new version
     * @throws VersionConflictException when the current version differs; it carries the current
     *     version (0 when absent). Nothing was changed.
     */
    Versioned<V> putIfVersion(K key, V value, long expectedVersion);

    /**
     * Compare-and-delete: removes the key only if its current version is {@code expectedVersion}
     * (which must be at least 1).
     *
     * @return the removed value
     * @throws VersionConflictException when the key is absent or has another version; nothing was
     *     changed
     */
    V removeIfVersion(K key, long expectedVersion);

    /**
     * Writes carrying {@code idempotencyKey}: each write through the returned object is applied
     * at most once however often it is retried, on any node (Idempotent Receiver). See
     * {@link IdempotentWrites} for how long keys are kept.
     *
     * @param idempotencyKey a caller-chosen key, unique per logical request (for example a UUID
     *     sent by the client in an {@code Idempotency-Key} header); not blank
     */
    IdempotentWrites<K, V> withIdempotencyKey(String idempotencyKey);

    /** Atomic (compare-and-set on the version, retried); {@code mappingFunction} may run more than once. */
    @Override
    @Nullable
    V computeIfAbsent(K key, Function<? super K, ? extends @Nullable V> mappingFunction);

    /** Atomic (compare-and-set on the version, retried); {@code remappingFunction} may run more than once. */
    @Override
    @Nullable
    V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends @Nullable V> remappingFunction);

    /** Atomic (compare-and-set on the version, retried); {@code remappingFunction} may run more than once. */
    @Override
    @Nullable
    V compute(K key, BiFunction<? super K, ? super @Nullable V, ? extends @Nullable V> remappingFunction);

    /** Atomic (compare-and-set on the version, retried); {@code remappingFunction} may run more than once. */
    @Override
    @Nullable
    V merge(K key, V value, BiFunction<? super V, ? super V, ? extends @Nullable V> remappingFunction);
}
