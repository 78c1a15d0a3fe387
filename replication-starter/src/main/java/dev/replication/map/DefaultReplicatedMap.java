package dev.replication.map;

import dev.replication.api.EntryTooLargeException;
import dev.replication.api.IdempotentWrites;
import dev.replication.api.ReadConsistency;
import dev.replication.api.ReplicatedMap;
import dev.replication.api.ReplicatedMapReads;
import dev.replication.api.Versioned;
import dev.replication.map.CompareAndSetLoop.Step;
import dev.replication.map.CompareAndSetLoop.WriteAttempt;
import dev.replication.runtime.ReplicationGateway;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.StateCommand;
import dev.replication.state.StateResult;
import dev.replication.state.StoredEntry;
import dev.replication.state.StoredValue;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link ReplicatedMap} over the runtime's {@link ReplicationGateway} (writes) and this node's
 * {@link KeyValueStateMachine} (reads). Keys and values are serialized with the application's
 * Jackson mapper.
 *
 * <p>Writes encode a {@link StateCommand}, submit it and block until the gateway answers with
 * the state machine's {@link StateResult}, which it does only once the entry is committed and
 * applied here ({@link CommandWrites}; {@link FailureTranslation} says what a failure means).
 * Atomic read-modify-write operations are a {@link CompareAndSetLoop} on the key's version.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
final class DefaultReplicatedMap<K, V> implements ReplicatedMap<K, V> {

    private final String name;
    private final ReplicationGateway gateway;
    private final KeyValueStateMachine stateMachine;
    private final ReplicatedMapSettings settings;
    private final EntryCodec<K> keys;
    private final EntryCodec<V> values;
    private final FailureTranslation failures;
    private final CommandWrites<K, V> writes;
    private final CompareAndSetLoop casLoop;

    /**
     * @param name the map's name, as in {@code @Replicated}
     * @param keyType the declared key type (for example {@code ResolvableType#getType()} of the
     *     injection point's first generic)
     * @param valueType the declared value type, generics included
     * @param mapper the application's Jackson mapper
     */
    DefaultReplicatedMap(
            String name,
            Type keyType,
            Type valueType,
            JsonMapper mapper,
            ReplicationGateway gateway,
            KeyValueStateMachine stateMachine,
            ReplicatedMapSettings settings) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(
                    "a replicated map needs a non-blank name, as in @Replicated(\"orders\")");
        }
        this.name = name;
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.keys = EntryCodec.forKeys(name, mapper, keyType, settings.maxKeyBytes());
        this.values = EntryCodec.forValues(name, mapper, valueType, settings.maxValueBytes());
        this.failures = new FailureTranslation(name, settings.writeTimeout(), settings.readTimeout());
        this.writes = new CommandWrites<>(name, keys, values, gateway, settings.writeTimeout(), failures);
        this.casLoop = new CompareAndSetLoop(name, settings.maxCasAttempts());
    }

    @Override
    public String name() {
        return name;
    }

    // ---- local reads ----

    @Override
    public @Nullable V get(Object key) {
        Versioned<V> current = localVersioned(key);
        return current == null ? null : current.value();
    }

    @Override
    public @Nullable Versioned<V> getVersioned(K key) {
        return localVersioned(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return keys.accepts(key) && stateMachine.get(name, keys.encode(castKey(key))) != null;
    }

    @Override
    public boolean containsValue(Object value) {
        return value != null && snapshot().containsValue(value);
    }

    @Override
    public int size() {
        return stateMachine.size(name);
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public Map<K, Versioned<V>> scan(String prefix) {
        if (!keys.isUtf8String()) {
            throw new UnsupportedOperationException("replicated map '" + name + "' does not have String keys, so it"
                    + " cannot be scanned by prefix; iterate entrySet() instead");
        }
        Map<K, Versioned<V>> result = new LinkedHashMap<>();
        for (StoredEntry entry : stateMachine.scan(name, prefix.getBytes(StandardCharsets.UTF_8))) {
            result.put(keys.decode(entry.key()), versioned(entry.value()));
        }
        return Collections.unmodifiableMap(result);
    }

    @Override
    public ReplicatedMapReads<K, V> read(ReadConsistency consistency) {
        Objects.requireNonNull(consistency, "consistency");
        return new ConsistentReads<>(this, () -> awaitReadable(consistency));
    }

    @Override
    public Set<K> keySet() {
        return ReadOnlySnapshot.set(name, "keySet", new ArrayList<>(snapshot().keySet()));
    }

    @Override
    public Collection<V> values() {
        return ReadOnlySnapshot.collection(
                name, "values", new ArrayList<>(snapshot().values()));
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        List<Entry<K, V>> entries = new ArrayList<>();
        snapshot().forEach((key, value) -> entries.add(ReadOnlySnapshot.entry(name, key, value)));
        return ReadOnlySnapshot.set(name, "entrySet", entries);
    }

    // ---- writes ----

    @Override
    public @Nullable V put(K key, V value) {
        return writes.put(key, value);
    }

    @Override
    public Versioned<V> putVersioned(K key, V value) {
        return writes.putVersioned(key, value);
    }

    @Override
    public Versioned<V> putIfVersion(K key, V value, long expectedVersion) {
        return writes.putIfVersion(key, value, expectedVersion);
    }

    @Override
    public @Nullable V remove(Object key) {
        if (!keys.accepts(key)) {
            return null;
        }
        return writes.remove(castKey(key));
    }

    @Override
    public V removeIfVersion(K key, long expectedVersion) {
        return writes.removeIfVersion(key, expectedVersion);
    }

    @Override
    public IdempotentWrites<K, V> withIdempotencyKey(String idempotencyKey) {
        if (idempotencyKey == null || idempotencyKey.isBlank()) {
            throw new IllegalArgumentException("an idempotency key must not be blank; use a unique id per logical"
                    + " request, for example the client's Idempotency-Key header");
        }
        int bytes = idempotencyKey.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > IdempotentWrites.MAX_KEY_BYTES) {
            throw new EntryTooLargeException(
                    "replicated map '" + name + "': an idempotency key of " + bytes
                            + " bytes (UTF-8) is over the limit of " + IdempotentWrites.MAX_KEY_BYTES + "; nothing was"
                            + " written. Use a short unique id per request, for example a UUID",
                    bytes,
                    IdempotentWrites.MAX_KEY_BYTES);
        }
        return new IdempotentCommandWrites<>(writes, idempotencyKey);
    }

    /** Each entry is a separate write, in iteration order; a failure leaves the earlier ones applied. */
    @Override
    public void putAll(Map<? extends K, ? extends V> entries) {
        entries.forEach(this::put);
    }

    /** Removes each key present in a snapshot, one write each; keys written meanwhile may remain. */
    @Override
    public void clear() {
        for (K key : snapshot().keySet()) {
            remove(key);
        }
    }

    /** One create-only write: a conflict answers with the value that was present. */
    @Override
    public @Nullable V putIfAbsent(K key, V value) {
        StateResult result =
                writes.submit(new StateCommand.PutIfVersion(name, keys.encode(key), values.encode(value), 0), key);
        return result.status() == StateResult.Status.APPLIED ? null : writes.decodedValue(result.before());
    }

    @Override
    public boolean remove(Object key, Object value) {
        if (!keys.accepts(key) || value == null) {
            return false;
        }
        return Boolean.TRUE.equals(update(
                castKey(key),
                current -> current != null && Objects.equals(current.value(), value)
                        ? Step.write(null, true)
                        : Step.keep(false)));
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        Objects.requireNonNull(oldValue, "oldValue");
        Objects.requireNonNull(newValue, "newValue");
        return Boolean.TRUE.equals(update(
                key,
                current -> current != null && Objects.equals(current.value(), oldValue)
                        ? Step.write(newValue, true)
                        : Step.keep(false)));
    }

    @Override
    public @Nullable V replace(K key, V value) {
        Objects.requireNonNull(value, "value");
        return update(key, current -> current == null ? Step.keep(null) : Step.write(value, current.value()));
    }

    @Override
    public @Nullable V computeIfAbsent(K key, Function<? super K, ? extends @Nullable V> mappingFunction) {
        Objects.requireNonNull(mappingFunction, "mappingFunction");
        return update(key, current -> {
            if (current != null) {
                return Step.keep(current.value());
            }
            V created = mappingFunction.apply(key);
            return created == null ? Step.keep(null) : Step.write(created, created);
        });
    }

    @Override
    public @Nullable V computeIfPresent(
            K key, BiFunction<? super K, ? super V, ? extends @Nullable V> remappingFunction) {
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        return update(key, current -> {
            if (current == null) {
                return Step.keep(null);
            }
            V next = remappingFunction.apply(key, current.value());
            return Step.write(next, next);
        });
    }

    @Override
    public @Nullable V compute(
            K key, BiFunction<? super K, ? super @Nullable V, ? extends @Nullable V> remappingFunction) {
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        return update(key, current -> {
            V next = remappingFunction.apply(key, current == null ? null : current.value());
            return next == null && current == null ? Step.keep(null) : Step.write(next, next);
        });
    }

    @Override
    public @Nullable V merge(
            K key, V value, BiFunction<? super V, ? super V, ? extends @Nullable V> remappingFunction) {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        return update(key, current -> {
            V next = current == null ? value : remappingFunction.apply(current.value(), value);
            return Step.write(next, next);
        });
    }

    // ---- Object ----

    @Override
    public boolean equals(Object other) {
        return other == this || other instanceof Map<?, ?> that && snapshot().equals(that);
    }

    @Override
    public int hashCode() {
        return snapshot().hashCode();
    }

    @Override
    public String toString() {
        return "ReplicatedMap[" + name + ", " + size() + " entries at index " + stateMachine.appliedIndex() + "]";
    }

    // ---- machinery ----

    /** An atomic read-modify-write: the compare-and-set loop over this key's versioned value. */
    private <R> @Nullable R update(K key, Function<Versioned<V>, Step<V, R>> decide) {
        return casLoop.update(key, new StoredKey(key), decide);
    }

    /** One key as the compare-and-set loop reads and writes it. */
    private final class StoredKey implements CompareAndSetLoop.VersionedKey<V> {
        private final K key;
        private final byte[] keyBytes;

        StoredKey(K key) {
            this.key = key;
            this.keyBytes = keys.encode(key);
        }

        @Override
        public @Nullable Versioned<V> readLocal() {
            return versioned(stateMachine.get(name, keyBytes));
        }

        @Override
        public @Nullable Versioned<V> readUpToDate() {
            awaitReadable(ReadConsistency.LINEARIZABLE);
            return readLocal();
        }

        @Override
        public WriteAttempt<V> writeIfVersion(@Nullable V newValue, long expectedVersion) {
            StateCommand command = newValue == null
                    ? new StateCommand.DeleteIfVersion(name, keyBytes, expectedVersion)
                    : new StateCommand.PutIfVersion(name, keyBytes, values.encode(newValue), expectedVersion);
            StateResult result = writes.submit(command, key);
            return result.status() == StateResult.Status.APPLIED
                    ? WriteAttempt.applied()
                    : WriteAttempt.conflict(versioned(result.before()));
        }
    }

    private void awaitReadable(ReadConsistency consistency) {
        failures.awaitReadable(gateway.readBarrier(consistency, 0, settings.readTimeout()), consistency);
    }

    private @Nullable Versioned<V> localVersioned(Object key) {
        if (!keys.accepts(key)) {
            return null;
        }
        return versioned(stateMachine.get(name, keys.encode(castKey(key))));
    }

    /** This node's entries now, decoded, in the order of their key bytes; a fresh copy each call. */
    Map<K, V> snapshot() {
        Map<K, V> result = new LinkedHashMap<>();
        for (StoredEntry entry : stateMachine.scan(name, new byte[0])) {
            result.put(keys.decode(entry.key()), values.decode(entry.value().value()));
        }
        return result;
    }

    private @Nullable Versioned<V> versioned(@Nullable StoredValue stored) {
        return stored == null
                ? null
                : new Versioned<>(values.decode(stored.value()), stored.version(), stored.timestamp());
    }

    @SuppressWarnings("unchecked")
    private K castKey(Object key) {
        return (K) key;
    }
}
