package dev.replication.map;

import dev.replication.api.ReplicatedMapReads;
import dev.replication.api.Versioned;
import java.util.Collections;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads that first wait until this node may serve them at one consistency, then read its local
 * state: after a linearizable barrier that state includes every write acknowledged before the read
 * began.
 */
final class ConsistentReads<K, V> implements ReplicatedMapReads<K, V> {

    private final DefaultReplicatedMap<K, V> map;
    private final Runnable awaitReadable;

    /** @param awaitReadable blocks until the map may be read at this consistency, or throws */
    ConsistentReads(DefaultReplicatedMap<K, V> map, Runnable awaitReadable) {
        this.map = map;
        this.awaitReadable = awaitReadable;
    }

    @Override
    public @Nullable V get(K key) {
        awaitReadable.run();
        return map.get(key);
    }

    @Override
    public @Nullable Versioned<V> getVersioned(K key) {
        awaitReadable.run();
        return map.getVersioned(key);
    }

    @Override
    public boolean containsKey(K key) {
        awaitReadable.run();
        return map.containsKey(key);
    }

    @Override
    public Map<K, Versioned<V>> scan(String prefix) {
        awaitReadable.run();
        return map.scan(prefix);
    }

    @Override
    public Map<K, V> snapshot() {
        awaitReadable.run();
        return Collections.unmodifiableMap(map.snapshot());
    }
}
