package dev.replication.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The keys of one map written or deleted between two captures, each at most once and never both:
 * a written key holds its value at the capture, a deleted key is absent at the capture. Owned by
 * one {@link CheckpointDelta} and never modified after the capture; the accessors build their
 * lists on the caller's thread (a checkpoint writer's, not the update thread).
 */
public final class MapChanges {

    private final String map;
    private final Map<ByteKey, StoredValue> written;
    private final Set<ByteKey> deleted;

    MapChanges(String map, Map<ByteKey, StoredValue> written, Set<ByteKey> deleted) {
        this.map = Objects.requireNonNull(map, "map");
        this.written = written;
        this.deleted = deleted;
    }

    /** The map's name. */
    public String map() {
        return map;
    }

    /** The keys written, with their value at the capture; the key arrays are copies. */
    public List<StoredEntry> written() {
        List<StoredEntry> entries = new ArrayList<>(written.size());
        written.forEach((key, value) -> entries.add(new StoredEntry(key.bytes().clone(), value)));
        return entries;
    }

    /** The keys deleted (absent at the capture); the arrays are copies. */
    public List<byte[]> deleted() {
        List<byte[]> keys = new ArrayList<>(deleted.size());
        deleted.forEach(key -> keys.add(key.bytes().clone()));
        return keys;
    }

    /**
     * These changes followed by {@code newer} of the same map, as one: what applying both in
     * order leaves. Neither is modified.
     */
    MapChanges followedBy(MapChanges newer) {
        Map<ByteKey, StoredValue> mergedWritten = new HashMap<>(written);
        newer.deleted.forEach(mergedWritten::remove);
        mergedWritten.putAll(newer.written);
        Set<ByteKey> mergedDeleted = new HashSet<>(deleted);
        newer.written.keySet().forEach(mergedDeleted::remove);
        mergedDeleted.addAll(newer.deleted);
        return new MapChanges(map, mergedWritten, mergedDeleted);
    }

    /** Whether this delta writes or deletes {@code key}. */
    boolean touches(ByteKey key) {
        return written.containsKey(key) || deleted.contains(key);
    }

    /** The keys written, in key order, sharing this delta's arrays (for a reader that only copies). */
    List<StoredEntry> writtenInKeyOrder() {
        List<StoredEntry> entries = new ArrayList<>(written.size());
        new TreeMap<>(written).forEach((key, value) -> entries.add(new StoredEntry(key.bytes(), value)));
        return entries;
    }

    public int writtenCount() {
        return written.size();
    }

    public int deletedCount() {
        return deleted.size();
    }
}
