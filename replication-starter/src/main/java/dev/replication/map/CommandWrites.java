package dev.replication.map;

import dev.replication.api.Versioned;
import dev.replication.runtime.ReplicationGateway;
import dev.replication.state.StateCommand;
import dev.replication.state.StateResult;
import dev.replication.state.StoredValue;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A map's writes that are one state command each, and the map's one way into the log: every
 * command goes through {@link #submit}, which waits for the gateway's answer and lets
 * {@link FailureTranslation} turn failures into exceptions. Writes carrying an idempotency key
 * are {@link IdempotentCommandWrites} over this.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
final class CommandWrites<K, V> {

    private final String mapName;
    private final EntryCodec<K> keys;
    private final EntryCodec<V> values;
    private final ReplicationGateway gateway;
    private final Duration writeTimeout;
    private final FailureTranslation failures;

    CommandWrites(
            String mapName,
            EntryCodec<K> keys,
            EntryCodec<V> values,
            ReplicationGateway gateway,
            Duration writeTimeout,
            FailureTranslation failures) {
        this.mapName = mapName;
        this.keys = keys;
        this.values = values;
        this.gateway = gateway;
        this.writeTimeout = writeTimeout;
        this.failures = failures;
    }

    @Nullable
    V put(K key, V value) {
        return decodedValue(submit(put(key, value, 0, false), key).before());
    }

    Versioned<V> putVersioned(K key, V value) {
        StateResult result = submit(put(key, value, 0, false), key);
        return new Versioned<>(value, result.version(), result.timestamp());
    }

    Versioned<V> putIfVersion(K key, V value, long expectedVersion) {
        requireCreateOrVersion(expectedVersion);
        StateResult result = submit(put(key, value, expectedVersion, true), key);
        failures.requireApplied(result, key, expectedVersion);
        return new Versioned<>(value, result.version(), result.timestamp());
    }

    @Nullable
    V remove(K key) {
        return decodedValue(submit(delete(key, 0, false), key).before());
    }

    V removeIfVersion(K key, long expectedVersion) {
        requireVersion(expectedVersion);
        StateResult result = submit(delete(key, expectedVersion, true), key);
        failures.requireApplied(result, key, expectedVersion);
        // Applied at a version >= 1, so the key was present and the result carries the removed value
        // (only answers remembered for idempotency keys are compact, and those never come here).
        return values.decode(
                Objects.requireNonNull(result.before(), "the removed value").value());
    }

    StateCommand put(K key, V value, long expectedVersion, boolean conditional) {
        return conditional
                ? new StateCommand.PutIfVersion(mapName, keys.encode(key), values.encode(value), expectedVersion)
                : new StateCommand.Put(mapName, keys.encode(key), values.encode(value));
    }

    StateCommand delete(K key, long expectedVersion, boolean conditional) {
        return conditional
                ? new StateCommand.DeleteIfVersion(mapName, keys.encode(key), expectedVersion)
                : new StateCommand.Delete(mapName, keys.encode(key));
    }

    static void requireCreateOrVersion(long expectedVersion) {
        if (expectedVersion < 0) {
            throw new IllegalArgumentException(
                    "expected version must be >= 0 (0: create only), was " + expectedVersion);
        }
    }

    static void requireVersion(long expectedVersion) {
        if (expectedVersion < 1) {
            throw new IllegalArgumentException(
                    "a conditional remove needs the version to remove (>= 1), was " + expectedVersion);
        }
    }

    void requireApplied(StateResult result, Object key, long expectedVersion) {
        failures.requireApplied(result, key, expectedVersion);
    }

    /** Submits a command without an idempotency key and waits for its answer. */
    StateResult submit(StateCommand command, Object key) {
        return submit(command, null, key);
    }

    /**
     * Submits a command and waits for its answer.
     *
     * @param idempotencyKey null for none
     * @return an APPLIED or VERSION_CONFLICT result; every other outcome is thrown
     */
    StateResult submit(StateCommand command, @Nullable String idempotencyKey, Object key) {
        return failures.awaitWrite(gateway.submit(command.encode(), idempotencyKey, writeTimeout), idempotencyKey, key);
    }

    @Nullable
    V decodedValue(@Nullable StoredValue stored) {
        return stored == null ? null : values.decode(stored.value());
    }
}
