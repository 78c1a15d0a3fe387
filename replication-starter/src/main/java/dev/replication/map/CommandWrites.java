package dev.replication.map;

import dev.replication.api.IdempotentWrites;
import dev.replication.api.Versioned;
import dev.replication.runtime.ReplicationGateway;
import dev.replication.state.StateCommand;
import dev.replication.state.StateResult;
import dev.replication.state.StoredValue;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A map's writes that are one state command each, optionally carrying an idempotency key, and
 * the map's one way into the log: every command goes through {@link #submit}, which waits for the
 * gateway's answer and lets {@link FailureTranslation} turn failures into exceptions.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
final class CommandWrites<K, V> implements IdempotentWrites<K, V> {

    private final String mapName;
    private final EntryCodec<K> keys;
    private final EntryCodec<V> values;
    private final ReplicationGateway gateway;
    private final Duration writeTimeout;
    private final FailureTranslation failures;
    private final @Nullable String idempotencyKey;

    /** @param idempotencyKey null for plain writes */
    CommandWrites(String mapName, EntryCodec<K> keys, EntryCodec<V> values, ReplicationGateway gateway,
                  Duration writeTimeout, FailureTranslation failures, @Nullable String idempotencyKey) {
        this.mapName = mapName;
        this.keys = keys;
        this.values = values;
        this.gateway = gateway;
        this.writeTimeout = writeTimeout;
        this.failures = failures;
        this.idempotencyKey = idempotencyKey;
    }

    /** The same writes carrying {@code key}. */
    CommandWrites<K, V> withIdempotencyKey(String key) {
        return new CommandWrites<>(mapName, keys, values, gateway, writeTimeout, failures, key);
    }

    @Override
    public @Nullable V put(K key, V value) {
        StateResult result = submit(new StateCommand.Put(mapName, keys.encode(key), values.encode(value)), key);
        return decodedValue(result.before());
    }

    @Override
    public Versioned<V> putVersioned(K key, V value) {
        StateResult result = submit(new StateCommand.Put(mapName, keys.encode(key), values.encode(value)), key);
        return new Versioned<>(value, result.version(), result.timestamp());
    }

    @Override
    public Versioned<V> putIfVersion(K key, V value, long expectedVersion) {
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expected version must be >= 0 (0: create only), was "
                    + expectedVersion);
        }
        StateResult result = submit(new StateCommand.PutIfVersion(mapName, keys.encode(key), values.encode(value),
                expectedVersion), key);
        failures.requireApplied(result, key, expectedVersion);
        return new Versioned<>(value, result.version(), result.timestamp());
    }

    @Override
    public @Nullable V remove(K key) {
        StateResult result = submit(new StateCommand.Delete(mapName, keys.encode(key)), key);
        return decodedValue(result.before());
    }

    @Override
    public V removeIfVersion(K key, long expectedVersion) {
        if (expectedVersion < 1) {
            throw new IllegalArgumentException("a conditional remove needs the version to remove (>= 1), was "
                    + expectedVersion);
        }
        StateResult result = submit(new StateCommand.DeleteIfVersion(mapName, keys.encode(key), expectedVersion),
                key);
        failures.requireApplied(result, key, expectedVersion);
        // Applied at a version >= 1, so the key was present and the result carries the removed value.
        return values.decode(Objects.requireNonNull(result.before(), "the removed value").value());
    }

    @Override
    public String idempotencyKey() {
        if (idempotencyKey == null) {
            // Only the instances withIdempotencyKey returns are handed out as IdempotentWrites.
            throw new IllegalStateException("plain writes to replicated map '" + mapName
                    + "' carry no idempotency key");
        }
        return idempotencyKey;
    }

    /**
     * Submits a command with this instance's idempotency key and waits for its answer.
     *
     * @return an APPLIED or VERSION_CONFLICT result; every other outcome is thrown
     */
    StateResult submit(StateCommand command, Object key) {
        return failures.awaitWrite(gateway.submit(command.encode(), idempotencyKey, writeTimeout), idempotencyKey,
                key);
    }

    @Nullable V decodedValue(@Nullable StoredValue stored) {
        return stored == null ? null : values.decode(stored.value());
    }
}
