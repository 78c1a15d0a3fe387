package dev.replication.state;

import dev.replication.core.EntryType;
import dev.replication.core.LogEntry;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What {@link KeyValueStateMachine} holds and how a committed entry changes it: the maps, the
 * client sessions, log time and the limits in effect. Deterministic and not thread-safe: the
 * machine calls it under its write lock (and reads it under its read lock).
 */
final class KeyValueState {

    private static final byte[] NO_RESULT = new byte[0];

    final Map<String, NavigableMap<ByteKey, StoredValue>> maps = new HashMap<>();
    ClientSessions sessions = new ClientSessions();
    // The limits of the last applied command entry; null before the first.
    @Nullable
    IdempotencyLimits limitsInEffect;

    long appliedIndex;
    long lastTimestamp;

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
        appliedIndex = entry.index();
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
            return execute(command, map, index, timestamp);
        } finally {
            // An empty map is dropped so that state (and snapshots) never depend on failed writes.
            if (map.isEmpty()) {
                maps.remove(command.map());
            }
        }
    }

    private static StateResult execute(
            StateCommand command, NavigableMap<ByteKey, StoredValue> map, long index, long timestamp) {
        ByteKey key = new ByteKey(command.key());
        StoredValue current = map.get(key);
        long currentVersion = current == null ? 0 : current.version();
        if (command instanceof StateCommand.Put put) {
            map.put(key, new StoredValue(put.value(), index, timestamp));
        } else if (command instanceof StateCommand.PutIfVersion put) {
            if (put.expectedVersion() != currentVersion) {
                return conflict(put.expectedVersion(), current);
            }
            map.put(key, new StoredValue(put.value(), index, timestamp));
        } else if (command instanceof StateCommand.Delete) {
            map.remove(key);
        } else if (command instanceof StateCommand.DeleteIfVersion delete) {
            if (delete.expectedVersion() != currentVersion) {
                return conflict(delete.expectedVersion(), current);
            }
            map.remove(key);
        }
        return StateResult.applied(index, timestamp, current);
    }

    private static StateResult conflict(long expectedVersion, @Nullable StoredValue current) {
        return StateResult.refused(
                StateResult.Status.VERSION_CONFLICT,
                current,
                "expected version " + expectedVersion + " but found " + (current == null ? 0 : current.version()));
    }

    /** Replaces everything with restored contents. */
    void replaceWith(StateSnapshot.Contents restored) {
        maps.clear();
        maps.putAll(restored.maps());
        sessions = restored.sessions();
        limitsInEffect = restored.limitsInEffect();
        appliedIndex = restored.appliedIndex();
        lastTimestamp = restored.lastTimestamp();
    }
}
