package dev.replication.sample;

import dev.replication.api.IdempotencyKeyConflictException;
import dev.replication.api.IdempotentWrites;
import dev.replication.api.ReadConsistency;
import dev.replication.api.ReplicatedMap;
import dev.replication.api.ReplicatedMapReads;
import dev.replication.api.VersionConflictException;
import dev.replication.api.Versioned;
import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A single-process {@link ReplicatedMap} for web tests: every write takes the next "log index"
 * as its version, compare-and-set and idempotency keys behave as the API documents, and a test
 * can make the next writes or reads fail the way a cluster would. One lock makes every operation
 * atomic, like the single update queue of a real node.
 */
final class InMemoryReplicatedMap<V> extends AbstractMap<String, V> implements ReplicatedMap<String, V> {

    private final String name;
    private final TreeMap<String, Versioned<V>> entries = new TreeMap<>();
    private final Map<String, Applied> appliedByIdempotencyKey = new HashMap<>();
    private final Deque<RuntimeException> nextWriteFailures = new ArrayDeque<>();
    private final Deque<RuntimeException> nextReadFailures = new ArrayDeque<>();
    private final Deque<CountDownLatch> nextWriteHolds = new ArrayDeque<>();
    private long lastIndex;
    private ReadConsistency lastReadConsistency;

    /** A write already applied under an idempotency key: the request and its first answer. */
    private record Applied(String request, Object result, RuntimeException failure) {}

    InMemoryReplicatedMap(String name) {
        this.name = name;
    }

    /** The next write fails with {@code failure} before it is applied. */
    synchronized void failNextWrite(RuntimeException failure) {
        nextWriteFailures.add(failure);
    }

    /**
     * The next {@link #putVersioned} waits, before it is applied, until {@code release} opens: a
     * write still in progress (the map's other calls do not wait for it).
     */
    synchronized void holdNextWrite(CountDownLatch release) {
        nextWriteHolds.add(release);
    }

    /** The next read through {@link #read} fails with {@code failure}. */
    synchronized void failNextRead(RuntimeException failure) {
        nextReadFailures.add(failure);
    }

    /** The consistency of the last read made through {@link #read}. */
    synchronized ReadConsistency lastReadConsistency() {
        return lastReadConsistency;
    }

    /** Starts over as a fresh, empty map: no entries, keys, failures, and versions from 1 again. */
    synchronized void reset() {
        lastIndex = 0;
        entries.clear();
        appliedByIdempotencyKey.clear();
        nextWriteFailures.clear();
        nextReadFailures.clear();
        nextWriteHolds.clear();
        lastReadConsistency = null;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized V get(Object key) {
        Versioned<V> found = entries.get(key);
        return found == null ? null : found.value();
    }

    @Override
    public synchronized Versioned<V> getVersioned(String key) {
        return entries.get(key);
    }

    @Override
    public synchronized boolean containsKey(Object key) {
        return entries.containsKey(key);
    }

    @Override
    public ReplicatedMapReads<String, V> read(ReadConsistency consistency) {
        return new ReplicatedMapReads<>() {
            @Override
            public V get(String key) {
                Versioned<V> found = getVersioned(key);
                return found == null ? null : found.value();
            }

            @Override
            public Versioned<V> getVersioned(String key) {
                beforeRead(consistency);
                return InMemoryReplicatedMap.this.getVersioned(key);
            }

            @Override
            public boolean containsKey(String key) {
                return getVersioned(key) != null;
            }

            @Override
            public Map<String, Versioned<V>> scan(String prefix) {
                beforeRead(consistency);
                return InMemoryReplicatedMap.this.scan(prefix);
            }

            @Override
            public Map<String, V> snapshot() {
                beforeRead(consistency);
                synchronized (InMemoryReplicatedMap.this) {
                    Map<String, V> copy = new LinkedHashMap<>();
                    entries.forEach((key, versioned) -> copy.put(key, versioned.value()));
                    return Collections.unmodifiableMap(copy);
                }
            }
        };
    }

    private synchronized void beforeRead(ReadConsistency consistency) {
        lastReadConsistency = consistency;
        RuntimeException failure = nextReadFailures.poll();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public synchronized Map<String, Versioned<V>> scan(String prefix) {
        Map<String, Versioned<V>> found = new LinkedHashMap<>();
        entries.tailMap(prefix, true).entrySet().stream()
                .takeWhile(entry -> entry.getKey().startsWith(prefix))
                .forEach(entry -> found.put(entry.getKey(), entry.getValue()));
        return Collections.unmodifiableMap(found);
    }

    @Override
    public synchronized Set<Entry<String, V>> entrySet() {
        Map<String, V> copy = new LinkedHashMap<>();
        entries.forEach((key, versioned) -> copy.put(key, versioned.value()));
        return Collections.unmodifiableMap(copy).entrySet();
    }

    @Override
    public Versioned<V> putVersioned(String key, V value) {
        CountDownLatch hold;
        synchronized (this) {
            hold = nextWriteHolds.poll();
        }
        if (hold != null) {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while held", e);
            }
        }
        synchronized (this) {
            return applyPut(key, value);
        }
    }

    @Override
    public synchronized Versioned<V> putIfVersion(String key, V value, long expectedVersion) {
        nextIndex();
        long current = currentVersion(key);
        if (current != expectedVersion) {
            throw conflict(key, expectedVersion, current);
        }
        return store(key, value);
    }

    @Override
    public synchronized V removeIfVersion(String key, long expectedVersion) {
        nextIndex();
        long current = currentVersion(key);
        if (current != expectedVersion || current == 0) {
            throw conflict(key, expectedVersion, current);
        }
        return entries.remove(key).value();
    }

    @Override
    public synchronized V put(String key, V value) {
        V previous = get(key);
        applyPut(key, value);
        return previous;
    }

    @Override
    public synchronized V remove(Object key) {
        nextIndex();
        Versioned<V> removed = entries.remove(key);
        return removed == null ? null : removed.value();
    }

    @Override
    public synchronized V putIfAbsent(String key, V value) {
        V current = get(key);
        if (current == null) {
            applyPut(key, value);
        }
        return current;
    }

    @Override
    public synchronized boolean remove(Object key, Object value) {
        V current = get(key);
        if (current == null || !current.equals(value)) {
            return false;
        }
        remove(key);
        return true;
    }

    @Override
    public synchronized boolean replace(String key, V oldValue, V newValue) {
        V current = get(key);
        if (current == null || !current.equals(oldValue)) {
            return false;
        }
        applyPut(key, newValue);
        return true;
    }

    @Override
    public synchronized V replace(String key, V value) {
        V current = get(key);
        if (current != null) {
            applyPut(key, value);
        }
        return current;
    }

    @Override
    public synchronized V computeIfAbsent(String key, Function<? super String, ? extends V> mappingFunction) {
        V current = get(key);
        if (current != null) {
            return current;
        }
        V created = mappingFunction.apply(key);
        if (created != null) {
            applyPut(key, created);
        }
        return created;
    }

    @Override
    public synchronized V computeIfPresent(
            String key, BiFunction<? super String, ? super V, ? extends V> remappingFunction) {
        V current = get(key);
        if (current == null) {
            return null;
        }
        return storeOrRemove(key, remappingFunction.apply(key, current));
    }

    @Override
    public synchronized V compute(String key, BiFunction<? super String, ? super V, ? extends V> remappingFunction) {
        return storeOrRemove(key, remappingFunction.apply(key, get(key)));
    }

    @Override
    public synchronized V merge(String key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        V current = get(key);
        return storeOrRemove(key, current == null ? value : remappingFunction.apply(current, value));
    }

    @Override
    public IdempotentWrites<String, V> withIdempotencyKey(String idempotencyKey) {
        if (idempotencyKey == null || idempotencyKey.isBlank()) {
            throw new IllegalArgumentException("an idempotency key is not blank");
        }
        return new IdempotentWrites<>() {
            @Override
            public Versioned<V> putVersioned(String key, V value) {
                return once("put", key, value, 0, () -> InMemoryReplicatedMap.this.putVersioned(key, value));
            }

            @Override
            public Versioned<V> putIfVersion(String key, V value, long expectedVersion) {
                return once(
                        "putIfVersion",
                        key,
                        value,
                        expectedVersion,
                        () -> InMemoryReplicatedMap.this.putIfVersion(key, value, expectedVersion));
            }

            @Override
            public boolean remove(String key) {
                return once("remove", key, null, 0, () -> InMemoryReplicatedMap.this.remove(key) != null);
            }

            @Override
            public void removeIfVersion(String key, long expectedVersion) {
                once(
                        "removeIfVersion",
                        key,
                        null,
                        expectedVersion,
                        () -> InMemoryReplicatedMap.this.removeIfVersion(key, expectedVersion));
            }

            @Override
            public String idempotencyKey() {
                return idempotencyKey;
            }

            @SuppressWarnings("unchecked")
            private <R> R once(String operation, String key, V value, long expectedVersion, Supplier<R> write) {
                String request = operation + " " + key + " " + value + " " + expectedVersion;
                synchronized (InMemoryReplicatedMap.this) {
                    Applied applied = appliedByIdempotencyKey.get(idempotencyKey);
                    if (applied == null) {
                        try {
                            R result = write.get();
                            appliedByIdempotencyKey.put(idempotencyKey, new Applied(request, result, null));
                            return result;
                        } catch (VersionConflictException e) {
                            appliedByIdempotencyKey.put(idempotencyKey, new Applied(request, null, e));
                            throw e;
                        }
                    }
                    if (!applied.request().equals(request)) {
                        throw new IdempotencyKeyConflictException(
                                "Idempotency key '" + idempotencyKey
                                        + "' was already used for another request; use a fresh key.",
                                idempotencyKey);
                    }
                    if (applied.failure() != null) {
                        throw applied.failure();
                    }
                    return (R) applied.result();
                }
            }
        };
    }

    private V storeOrRemove(String key, V value) {
        if (value == null) {
            remove(key);
        } else {
            applyPut(key, value);
        }
        return value;
    }

    private Versioned<V> applyPut(String key, V value) {
        nextIndex();
        return store(key, value);
    }

    private Versioned<V> store(String key, V value) {
        Objects.requireNonNull(value, "a replicated map holds no null values");
        Versioned<V> stored = new Versioned<>(value, lastIndex, System.currentTimeMillis() << 16);
        entries.put(key, stored);
        return stored;
    }

    /** Every write takes a log index, even one that then conflicts, as in a real log. */
    private void nextIndex() {
        RuntimeException failure = nextWriteFailures.poll();
        if (failure != null) {
            throw failure;
        }
        lastIndex++;
    }

    private long currentVersion(String key) {
        Versioned<V> current = entries.get(key);
        return current == null ? 0 : current.version();
    }

    private static VersionConflictException conflict(String key, long expected, long current) {
        return new VersionConflictException(
                "Key '" + key + "' has version " + current + ", not " + expected
                        + "; read it again and retry with its current version.",
                expected,
                current);
    }
}
