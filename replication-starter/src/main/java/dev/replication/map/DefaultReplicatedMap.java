package dev.replication.map;

import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.ThreadLocalRandom;

import dev.replication.api.IdempotencyKeyConflictException;
import dev.replication.api.IdempotentWrites;
import dev.replication.api.OutcomeUnknownException;
import dev.replication.api.ReadConsistency;
import dev.replication.api.ReplicatedMap;
import dev.replication.api.ReplicatedMapReads;
import dev.replication.api.ReplicationException;
import dev.replication.api.ReplicationUnavailableException;
import dev.replication.api.UpdateContentionException;
import dev.replication.api.VersionConflictException;
import dev.replication.api.Versioned;
import dev.replication.runtime.ReplicationGateway;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.StateCommand;
import dev.replication.state.StateResult;
import dev.replication.state.StoredEntry;
import dev.replication.state.StoredValue;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link ReplicatedMap} over the runtime's {@link ReplicationGateway} (writes) and this node's
 * {@link KeyValueStateMachine} (reads). Keys and values are serialized with the application's
 * Jackson mapper.
 *
 * <p>Writes encode a {@link StateCommand}, submit it and block until the gateway answers with
 * the state machine's {@link StateResult}, which it does only once the entry is committed and
 * applied here. Atomic read-modify-write operations read the current version locally, decide,
 * and write with a compare-and-set on that version; a conflict answers with the value current at
 * that point of the log, so the next attempt decides on it without another read. A decision to
 * change nothing is confirmed after a linearizable read barrier, so it is never made on a stale
 * local copy.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
final class DefaultReplicatedMap<K, V> implements ReplicatedMap<K, V> {

    private static final Duration AWAIT_GRACE = Duration.ofSeconds(1);
    private static final int MAX_KEY_IN_MESSAGE = 80;

    private final String name;
    private final ReplicationGateway gateway;
    private final KeyValueStateMachine stateMachine;
    private final ReplicatedMapSettings settings;
    private final EntryCodec<K> keys;
    private final EntryCodec<V> values;

    /**
     * @param name the map's name, as in {@code @Replicated}
     * @param keyType the declared key type (for example {@code ResolvableType#getType()} of the
     *     injection point's first generic)
     * @param valueType the declared value type, generics included
     * @param mapper the application's Jackson mapper
     */
    DefaultReplicatedMap(String name, Type keyType, Type valueType, JsonMapper mapper,
                                ReplicationGateway gateway, KeyValueStateMachine stateMachine,
                                ReplicatedMapSettings settings) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a replicated map needs a non-blank name, as in @Replicated(\"orders\")");
        }
        this.name = name;
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.keys = EntryCodec.forKeys(name, mapper, keyType, settings.maxKeyBytes());
        this.values = EntryCodec.forValues(name, mapper, valueType, settings.maxValueBytes());
    }

    @Override
    public String name() {
        return name;
    }

    // ---- local reads ----

    @Override
    public V get(Object key) {
        Versioned<V> current = localVersioned(key);
        return current == null ? null : current.value();
    }

    @Override
    public Versioned<V> getVersioned(K key) {
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
        return new ConsistentReads(Objects.requireNonNull(consistency, "consistency"));
    }

    @Override
    public Set<K> keySet() {
        return ReadOnlySnapshot.set(name, "keySet", new ArrayList<>(snapshot().keySet()));
    }

    @Override
    public Collection<V> values() {
        return ReadOnlySnapshot.collection(name, "values", new ArrayList<>(snapshot().values()));
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        List<Entry<K, V>> entries = new ArrayList<>();
        snapshot().forEach((key, value) -> entries.add(ReadOnlySnapshot.entry(name, key, value)));
        return ReadOnlySnapshot.set(name, "entrySet", entries);
    }

    // ---- writes ----

    @Override
    public V put(K key, V value) {
        return writes(null).put(key, value);
    }

    @Override
    public Versioned<V> putVersioned(K key, V value) {
        return writes(null).putVersioned(key, value);
    }

    @Override
    public Versioned<V> putIfVersion(K key, V value, long expectedVersion) {
        return writes(null).putIfVersion(key, value, expectedVersion);
    }

    @Override
    public V remove(Object key) {
        if (!keys.accepts(key)) {
            return null;
        }
        return writes(null).remove(castKey(key));
    }

    @Override
    public V removeIfVersion(K key, long expectedVersion) {
        return writes(null).removeIfVersion(key, expectedVersion);
    }

    @Override
    public IdempotentWrites<K, V> withIdempotencyKey(String idempotencyKey) {
        if (idempotencyKey == null || idempotencyKey.isBlank()) {
            throw new IllegalArgumentException("an idempotency key must not be blank; use a unique id per logical"
                    + " request, for example the client's Idempotency-Key header");
        }
        return writes(idempotencyKey);
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
    public V putIfAbsent(K key, V value) {
        StateResult result = submit(new StateCommand.PutIfVersion(name, keys.encode(key), values.encode(value), 0),
                null, key);
        return result.status() == StateResult.Status.APPLIED ? null : versionedValue(result.before());
    }

    @Override
    public boolean remove(Object key, Object value) {
        if (!keys.accepts(key) || value == null) {
            return false;
        }
        return update(castKey(key), current -> current != null && Objects.equals(current.value(), value)
                ? Step.write(null, true) : Step.keep(false));
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        Objects.requireNonNull(oldValue, "oldValue");
        Objects.requireNonNull(newValue, "newValue");
        return update(key, current -> current != null && Objects.equals(current.value(), oldValue)
                ? Step.write(newValue, true) : Step.keep(false));
    }

    @Override
    public V replace(K key, V value) {
        Objects.requireNonNull(value, "value");
        return update(key, current -> current == null ? Step.keep(null) : Step.write(value, current.value()));
    }

    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
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
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
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
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        return update(key, current -> {
            V next = remappingFunction.apply(key, current == null ? null : current.value());
            return next == null && current == null ? Step.keep(null) : Step.write(next, next);
        });
    }

    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
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

    /**
     * What an atomic operation decided from the current value: keep the state and answer
     * {@code result}, or write {@code newValue} (null: delete) and then answer {@code result}.
     */
    private record Step<V, R>(boolean write, V newValue, R result) {
        static <V, R> Step<V, R> keep(R result) {
            return new Step<>(false, null, result);
        }

        static <V, R> Step<V, R> write(V newValue, R result) {
            return new Step<>(true, newValue, result);
        }
    }

    /** Compare-and-set loop: decide on the current value, write conditionally on its version, retry on conflict. */
    private <R> R update(K key, Function<Versioned<V>, Step<V, R>> decide) {
        byte[] keyBytes = keys.encode(key);
        Versioned<V> current = versioned(stateMachine.get(name, keyBytes));
        boolean confirmed = false;
        for (int attempt = 1; attempt <= settings.maxCasAttempts(); ) {
            Step<V, R> step = decide.apply(current);
            boolean deletesAbsentKey = step.write() && step.newValue() == null && current == null;
            if (!step.write() || deletesAbsentKey) {
                if (confirmed) {
                    return step.result();
                }
                // Never answer "nothing to do" from a possibly stale local copy: catch up, then decide again.
                awaitReadable(ReadConsistency.LINEARIZABLE);
                current = versioned(stateMachine.get(name, keyBytes));
                confirmed = true;
                continue;
            }
            StateCommand command = step.newValue() == null
                    ? new StateCommand.DeleteIfVersion(name, keyBytes, current.version())
                    : new StateCommand.PutIfVersion(name, keyBytes, values.encode(step.newValue()),
                            current == null ? 0 : current.version());
            StateResult result = submit(command, null, key);
            if (result.status() == StateResult.Status.APPLIED) {
                return step.result();
            }
            // The conflict carries the value current at that point of the log: decide again on it.
            current = versioned(result.before());
            confirmed = true;
            backOff(attempt);
            attempt++;
        }
        throw new UpdateContentionException("replicated map '" + name + "': key '" + describe(key)
                + "' changed concurrently on each of " + settings.maxCasAttempts() + " compare-and-set attempts;"
                + " nothing was written by this call. Retry later, spread the writes over more keys, or raise the"
                + " attempt limit", settings.maxCasAttempts());
    }

    /**
     * Randomized exponential back-off between compare-and-set attempts (up to about 100 ms), so
     * writers contending for one key spread out instead of colliding in lock step. Writers on
     * the leader still win more often than writers whose attempts are forwarded, so under heavy
     * contention on one key a follower's call can run out of attempts: spread hot counters over
     * several keys.
     */
    private static void backOff(int attempt) {
        long ceilingMicros = Math.min(100_000L, 1_000L << Math.min(attempt, 10));
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(ThreadLocalRandom.current().nextLong(ceilingMicros)));
    }

    private IdempotentWrites<K, V> writes(String idempotencyKey) {
        return new Writes(idempotencyKey);
    }

    /** Single-command writes, optionally carrying an idempotency key. */
    private final class Writes implements IdempotentWrites<K, V> {
        private final String idempotencyKey;

        Writes(String idempotencyKey) {
            this.idempotencyKey = idempotencyKey;
        }

        @Override
        public V put(K key, V value) {
            StateResult result = submit(new StateCommand.Put(name, keys.encode(key), values.encode(value)),
                    idempotencyKey, key);
            return versionedValue(result.before());
        }

        @Override
        public Versioned<V> putVersioned(K key, V value) {
            StateResult result = submit(new StateCommand.Put(name, keys.encode(key), values.encode(value)),
                    idempotencyKey, key);
            return new Versioned<>(value, result.version(), result.timestamp());
        }

        @Override
        public Versioned<V> putIfVersion(K key, V value, long expectedVersion) {
            if (expectedVersion < 0) {
                throw new IllegalArgumentException("expected version must be >= 0 (0: create only), was "
                        + expectedVersion);
            }
            StateResult result = submit(new StateCommand.PutIfVersion(name, keys.encode(key), values.encode(value),
                    expectedVersion), idempotencyKey, key);
            requireApplied(result, key, expectedVersion);
            return new Versioned<>(value, result.version(), result.timestamp());
        }

        @Override
        public V remove(K key) {
            StateResult result = submit(new StateCommand.Delete(name, keys.encode(key)), idempotencyKey, key);
            return versionedValue(result.before());
        }

        @Override
        public V removeIfVersion(K key, long expectedVersion) {
            if (expectedVersion < 1) {
                throw new IllegalArgumentException("a conditional remove needs the version to remove (>= 1), was "
                        + expectedVersion);
            }
            StateResult result = submit(new StateCommand.DeleteIfVersion(name, keys.encode(key), expectedVersion),
                    idempotencyKey, key);
            requireApplied(result, key, expectedVersion);
            return versionedValue(result.before());
        }

        @Override
        public String idempotencyKey() {
            return idempotencyKey;
        }
    }

    private void requireApplied(StateResult result, K key, long expectedVersion) {
        if (result.status() == StateResult.Status.VERSION_CONFLICT) {
            long currentVersion = result.before() == null ? 0 : result.before().version();
            throw new VersionConflictException("replicated map '" + name + "': key '" + describe(key) + "' is at version "
                    + currentVersion + (currentVersion == 0 ? " (absent)" : "") + ", not the expected " + expectedVersion
                    + "; nothing was written. Read the current value (getVersioned) and retry with its version",
                    expectedVersion, currentVersion);
        }
    }

    /**
     * Submits a command and waits for its answer. Returns APPLIED and VERSION_CONFLICT results;
     * every other outcome becomes the exception that says whether the write may have happened.
     */
    private StateResult submit(StateCommand command, String idempotencyKey, K key) {
        CompletableFuture<byte[]> answer = gateway.submit(command.encode(), idempotencyKey, settings.writeTimeout());
        byte[] bytes;
        try {
            bytes = answer.get(settings.writeTimeout().plus(AWAIT_GRACE).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutcomeUnknownException("interrupted while waiting for a write to replicated map '" + name
                    + "' (key '" + describe(key) + "'); it may still be applied. Read the key before retrying, or retry"
                    + " with an idempotency key", e);
        } catch (TimeoutException e) {
            throw new OutcomeUnknownException("a write to replicated map '" + name + "' (key '" + describe(key)
                    + "') got no answer within " + settings.writeTimeout() + "; it may still be applied. Read the key"
                    + " before retrying, or retry with an idempotency key", e);
        } catch (ExecutionException e) {
            throw writeFailure(e.getCause(), key);
        }
        StateResult result = StateResult.decode(bytes);
        return switch (result.status()) {
            case APPLIED, VERSION_CONFLICT -> result;
            case IDEMPOTENCY_KEY_CONFLICT -> throw new IdempotencyKeyConflictException("replicated map '" + name
                    + "': " + result.detail() + "; this request was not applied. Use a new idempotency key for a new"
                    + " request", idempotencyKey);
            case ANSWER_DISCARDED -> throw new OutcomeUnknownException("replicated map '" + name + "' (key '"
                    + describe(key) + "'): " + result.detail() + "; whether this write was applied is unknown. Read the"
                    + " key before retrying");
            case SEQUENCE_REUSED, MALFORMED -> throw new ReplicationException("replicated map '" + name + "' (key '"
                    + describe(key) + "'): the cluster refused the write: " + result.detail() + ". This is a bug in the"
                    + " replication runtime, not in the application; nothing was applied. Report it with this message");
        };
    }

    private RuntimeException writeFailure(Throwable cause, K key) {
        if (cause instanceof ReplicationException replication) {
            return replication;
        }
        if (cause instanceof IllegalArgumentException invalid) {
            return invalid;
        }
        return new OutcomeUnknownException("a write to replicated map '" + name + "' (key '" + describe(key)
                + "') failed unexpectedly (" + cause + "); it may or may not be applied. Read the key before"
                + " retrying", cause);
    }

    private void awaitReadable(ReadConsistency consistency) {
        Duration timeout = settings.readTimeout();
        CompletableFuture<Void> barrier = gateway.readBarrier(consistency, 0, timeout);
        try {
            barrier.get(timeout.plus(AWAIT_GRACE).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicationUnavailableException("interrupted while waiting to read replicated map '" + name
                    + "' at " + consistency + "; nothing was read", null, e);
        } catch (TimeoutException e) {
            throw new ReplicationUnavailableException("replicated map '" + name + "' could not be read at "
                    + consistency + " within " + timeout + ": this node could not confirm it is up to date (no reachable"
                    + " leader, or far behind). Retry later, or read at STALE if an older value is acceptable", null, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ReplicationException replication) {
                throw replication;
            }
            throw new ReplicationUnavailableException("replicated map '" + name + "' could not be read at "
                    + consistency + ": " + e.getCause() + ". Retry later, or read at STALE if an older value is"
                    + " acceptable", null, e.getCause());
        }
    }

    private Versioned<V> localVersioned(Object key) {
        if (!keys.accepts(key)) {
            return null;
        }
        return versioned(stateMachine.get(name, keys.encode(castKey(key))));
    }

    private Map<K, V> snapshot() {
        Map<K, V> result = new LinkedHashMap<>();
        for (StoredEntry entry : stateMachine.scan(name, new byte[0])) {
            result.put(keys.decode(entry.key()), values.decode(entry.value().value()));
        }
        return result;
    }

    private Versioned<V> versioned(StoredValue stored) {
        return stored == null ? null : new Versioned<>(values.decode(stored.value()), stored.version(),
                stored.timestamp());
    }

    private V versionedValue(StoredValue stored) {
        return stored == null ? null : values.decode(stored.value());
    }

    @SuppressWarnings("unchecked")
    private K castKey(Object key) {
        return (K) key;
    }

    private static String describe(Object key) {
        String text = String.valueOf(key);
        return text.length() <= MAX_KEY_IN_MESSAGE ? text : text.substring(0, MAX_KEY_IN_MESSAGE) + "...";
    }

    /** Reads that first wait until this node may serve them at one consistency. */
    private final class ConsistentReads implements ReplicatedMapReads<K, V> {
        private final ReadConsistency consistency;

        ConsistentReads(ReadConsistency consistency) {
            this.consistency = consistency;
        }

        @Override
        public V get(K key) {
            awaitReadable(consistency);
            return DefaultReplicatedMap.this.get(key);
        }

        @Override
        public Versioned<V> getVersioned(K key) {
            awaitReadable(consistency);
            return DefaultReplicatedMap.this.getVersioned(key);
        }

        @Override
        public boolean containsKey(K key) {
            awaitReadable(consistency);
            return DefaultReplicatedMap.this.containsKey(key);
        }

        @Override
        public Map<K, Versioned<V>> scan(String prefix) {
            awaitReadable(consistency);
            return DefaultReplicatedMap.this.scan(prefix);
        }

        @Override
        public Map<K, V> snapshot() {
            awaitReadable(consistency);
            return Collections.unmodifiableMap(DefaultReplicatedMap.this.snapshot());
        }
    }
}
