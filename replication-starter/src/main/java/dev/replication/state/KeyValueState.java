package dev.replication.state;

import dev.replication.core.EntryType;
import dev.replication.core.LogEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What {@link KeyValueStateMachine} holds and how a committed entry changes it: the maps, the
 * client sessions, log time and the limits in effect. Deterministic and not thread-safe: the
 * machine calls it under its write lock (and reads it under its read lock).
 *
 * <p>It also records what changed since the last capture, for incremental checkpoints
 * ({@link #captureChanges}). The record starts with the empty state, so the first capture of a
 * fresh state is complete relative to nothing; restoring a snapshot loses it (the next capture is
 * then a full one), restoring a checkpoint starts it afresh.
 */
final class KeyValueState {

    private static final byte[] NO_RESULT = new byte[0];

    final Map<String, NavigableMap<ByteKey, StoredValue>> maps = new HashMap<>();
    ClientSessions sessions = new ClientSessions();
    // The limits of the last applied command entry; null before the first.
    @Nullable
    IdempotencyLimits limitsInEffect;

    long appliedIndex;
    long appliedGeneration;
    long lastTimestamp;
    // The last applied configuration entry; null before the first.
    CheckpointHeader.@Nullable Configuration configuration;

    private final MapChangeRecord mapChanges = new MapChangeRecord();
    // The changes recorded are relative to the empty state.
    private boolean changesFromEmpty = true;
    // A snapshot replaced the state without recording changes: only a full capture is right.
    private boolean changesIncomplete;
    // The applied index of the last capture (or restored checkpoint): the base of the next delta.
    private long capturedIndex;

    /**
     * Applies the committed entry that follows {@link #appliedIndex}.
     *
     * @return for a COMMAND entry, the encoded {@link StateResult}; for other entries, no bytes
     * @throws IllegalStateException when the entry is not the next one
     */
    byte[] apply(LogEntry entry) {
        if (entry.index() != appliedIndex + 1) {
            throw new IllegalStateException("entry " + entry.index() + " cannot be applied after entry "
                    + appliedIndex + ": apply each committed entry exactly once, in log order"
                    + " (restore a snapshot first when the log starts later)");
        }
        byte[] result = entry.type() == EntryType.COMMAND ? applyCommand(entry) : NO_RESULT;
        if (entry.type() == EntryType.CONFIGURATION) {
            configuration = new CheckpointHeader.Configuration(entry.index(), entry.payload());
        }
        appliedIndex = entry.index();
        appliedGeneration = entry.generation();
        return result;
    }

    private byte[] applyCommand(LogEntry entry) {
        CommandEnvelope envelope;
        StateCommand command;
        try {
            envelope = CommandEnvelope.decode(entry.payload());
            command = StateCommand.decode(envelope.body());
        } catch (IllegalArgumentException e) {
            return StateResult.refused(
                            StateResult.Status.MALFORMED,
                            null,
                            "entry " + entry.index() + " was not applied: " + e.getMessage())
                    .encode();
        }
        lastTimestamp = Math.max(lastTimestamp, envelope.timestamp());
        long nowMillis = HybridClock.physicalMillis(lastTimestamp);
        IdempotencyLimits limits = envelope.limits() == null ? IdempotencyLimits.DEFAULTS : envelope.limits();
        limitsInEffect = limits;
        sessions.expire(nowMillis, limits);
        byte[] earlier = sessions.answerIfSeen(envelope, nowMillis, limits);
        if (earlier != null) {
            return earlier;
        }
        StateResult result = execute(command, entry.index(), envelope.timestamp());
        sessions.remember(envelope, result, nowMillis, limits);
        return envelope.hasIdempotencyKey() ? result.compact().encode() : result.encode();
    }

    private StateResult execute(StateCommand command, long index, long timestamp) {
        NavigableMap<ByteKey, StoredValue> map = maps.computeIfAbsent(command.map(), name -> new TreeMap<>());
        try {
            return execute(command, command.map(), map, index, timestamp);
        } finally {
            // An empty map is dropped so that state (and snapshots) never depend on failed writes.
            if (map.isEmpty()) {
                maps.remove(command.map());
            }
        }
    }

    private StateResult execute(
            StateCommand command, String name, NavigableMap<ByteKey, StoredValue> map, long index, long timestamp) {
        ByteKey key = new ByteKey(command.key());
        StoredValue current = map.get(key);
        long currentVersion = current == null ? 0 : current.version();
        if (command instanceof StateCommand.Put put) {
            write(name, map, key, new StoredValue(put.value(), index, timestamp));
        } else if (command instanceof StateCommand.PutIfVersion put) {
            if (put.expectedVersion() != currentVersion) {
                return conflict(put.expectedVersion(), current);
            }
            write(name, map, key, new StoredValue(put.value(), index, timestamp));
        } else if (command instanceof StateCommand.Delete) {
            delete(name, map, key, current);
        } else if (command instanceof StateCommand.DeleteIfVersion delete) {
            if (delete.expectedVersion() != currentVersion) {
                return conflict(delete.expectedVersion(), current);
            }
            delete(name, map, key, current);
        }
        return StateResult.applied(index, timestamp, current);
    }

    private void write(String name, NavigableMap<ByteKey, StoredValue> map, ByteKey key, StoredValue value) {
        map.put(key, value);
        mapChanges.written(name, key, value);
    }

    private void delete(
            String name, NavigableMap<ByteKey, StoredValue> map, ByteKey key, @Nullable StoredValue current) {
        if (current != null) {
            map.remove(key);
            mapChanges.deleted(name, key);
        }
    }

    private static StateResult conflict(long expectedVersion, @Nullable StoredValue current) {
        return StateResult.refused(
                StateResult.Status.VERSION_CONFLICT,
                current,
                "expected version " + expectedVersion + " but found " + (current == null ? 0 : current.version()));
    }

    /**
     * Replaces everything with a snapshot's contents.
     *
     * @param generation the generation of the entry at the snapshot's index, 0 when unknown
     */
    void replaceWith(StateSnapshot.Contents restored, long generation) {
        maps.clear();
        maps.putAll(restored.maps());
        sessions = restored.sessions();
        limitsInEffect = restored.limitsInEffect();
        appliedIndex = restored.appliedIndex();
        appliedGeneration = generation;
        lastTimestamp = restored.lastTimestamp();
        // A snapshot does not carry the configuration: the core's snapshot base does.
        configuration = null;
        mapChanges.clear();
        changesIncomplete = true;
    }

    /** Replaces everything with a checkpoint's contents; the change record starts afresh from it. */
    void replaceWith(CheckpointContents restored) {
        CheckpointHeader header = restored.header();
        ClientSessions restoredSessions = ClientSessions.restore(
                restored.sessions(), restored.idempotencyAnswers(), header.evictedIdempotencyKeys());
        maps.clear();
        restored.maps().forEach((name, entries) -> {
            if (!entries.isEmpty()) {
                maps.put(name, entries);
            }
        });
        sessions = restoredSessions;
        limitsInEffect = header.limitsInEffect();
        appliedIndex = header.appliedIndex();
        appliedGeneration = header.appliedGeneration();
        lastTimestamp = header.lastTimestamp();
        configuration = header.configuration();
        mapChanges.clear();
        changesFromEmpty = false;
        changesIncomplete = false;
        capturedIndex = appliedIndex;
    }

    /**
     * What changed since the last capture: O(keys, sessions and idempotency keys changed), except
     * right after a snapshot was restored, when it is a {@link #captureAll full capture}.
     */
    CheckpointDelta captureChanges() {
        if (changesIncomplete) {
            return captureAll();
        }
        boolean fromEmpty = changesFromEmpty;
        long base = capturedIndex;
        changesFromEmpty = false;
        capturedIndex = appliedIndex;
        return new CheckpointDelta(
                fromEmpty, fromEmpty ? 0 : base, header(), mapChanges.drain(), sessions.drainChanges());
    }

    /**
     * Everything, as a delta that replaces all. O(state) but copies only references (the values,
     * answers and their arrays are shared); the change record starts afresh.
     */
    CheckpointDelta captureAll() {
        List<MapChanges> all = new ArrayList<>(maps.size());
        maps.forEach((name, entries) -> all.add(new MapChanges(name, new TreeMap<>(entries), Set.of())));
        mapChanges.clear();
        changesFromEmpty = false;
        changesIncomplete = false;
        capturedIndex = appliedIndex;
        return new CheckpointDelta(true, 0, header(), all, sessions.all());
    }

    private CheckpointHeader header() {
        return new CheckpointHeader(
                appliedIndex,
                appliedGeneration,
                lastTimestamp,
                limitsInEffect,
                sessions.evictedIdempotencyKeyCount(),
                configuration);
    }
}
