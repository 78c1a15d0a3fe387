package dev.replication.map;

import dev.replication.api.IdempotentWrites;
import dev.replication.api.Versioned;
import dev.replication.state.StateResult;

/**
 * A map's writes carrying one idempotency key. Their answers are built only from what the
 * cluster remembers of a key (status and versions, {@link StateResult#compact()}), so the first
 * call and every retry answer the same.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
final class IdempotentCommandWrites<K, V> implements IdempotentWrites<K, V> {

    private final CommandWrites<K, V> writes;
    private final String idempotencyKey;

    IdempotentCommandWrites(CommandWrites<K, V> writes, String idempotencyKey) {
        this.writes = writes;
        this.idempotencyKey = idempotencyKey;
    }

    @Override
    public Versioned<V> putVersioned(K key, V value) {
        StateResult result = writes.submit(writes.put(key, value, 0, false), idempotencyKey, key);
        return new Versioned<>(value, result.version(), result.timestamp());
    }

    @Override
    public Versioned<V> putIfVersion(K key, V value, long expectedVersion) {
        CommandWrites.requireCreateOrVersion(expectedVersion);
        StateResult result = writes.submit(writes.put(key, value, expectedVersion, true), idempotencyKey, key);
        writes.requireApplied(result, key, expectedVersion);
        return new Versioned<>(value, result.version(), result.timestamp());
    }

    @Override
    public boolean remove(K key) {
        return writes.submit(writes.delete(key, 0, false), idempotencyKey, key).beforeVersion() != 0;
    }

    @Override
    public void removeIfVersion(K key, long expectedVersion) {
        CommandWrites.requireVersion(expectedVersion);
        StateResult result = writes.submit(writes.delete(key, expectedVersion, true), idempotencyKey, key);
        writes.requireApplied(result, key, expectedVersion);
    }

    @Override
    public String idempotencyKey() {
        return idempotencyKey;
    }
}
