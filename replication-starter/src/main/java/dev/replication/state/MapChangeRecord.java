package dev.replication.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Records, as entries are applied, which keys of which map were written or deleted since the last
 * capture. A capture hands the record's own collections to the {@link CheckpointDelta} and starts
 * new ones, so it costs O(maps changed), not O(keys): values are immutable and shared.
 */
final class MapChangeRecord {

    private Map<String, Pending> pending = new HashMap<>();

    void written(String map, ByteKey key, StoredValue value) {
        Pending changes = pending.computeIfAbsent(map, name -> new Pending());
        changes.deleted.remove(key);
        changes.written.put(key, value);
    }

    void deleted(String map, ByteKey key) {
        Pending changes = pending.computeIfAbsent(map, name -> new Pending());
        changes.written.remove(key);
        changes.deleted.add(key);
    }

    /** The changes since the last call, by map; starts afresh. */
    List<MapChanges> drain() {
        Map<String, Pending> drained = pending;
        pending = new HashMap<>();
        List<MapChanges> changes = new ArrayList<>(drained.size());
        drained.forEach((map, change) -> changes.add(new MapChanges(map, change.written, change.deleted)));
        return changes;
    }

    /** Forgets what was recorded: the next capture starts from the state as it is now. */
    void clear() {
        pending = new HashMap<>();
    }

    private static final class Pending {
        private final HashMap<ByteKey, StoredValue> written = new HashMap<>();
        private final HashSet<ByteKey> deleted = new HashSet<>();
    }
}
