package dev.replication.state;

import dev.replication.codec.BinaryReader;
import dev.replication.codec.BinaryWriter;
import dev.replication.core.EntryType;
import dev.replication.core.LogEntry;
import dev.replication.core.StateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The replicated key-value state: named maps of versioned values, plus the
 * {@link ClientSessions} that make retried requests idempotent.
 *
 * <h2>Applying</h2>
 * {@link #apply} takes committed entries strictly in log order, each exactly once. It is
 * deterministic: the same entries give the same state and the same answers on every replica.
 * It never reads a clock; log time ("now" for expiring sessions and idempotency keys) is the
 * greatest physical time stamped by a leader into an applied {@link CommandEnvelope}. A value's
 * version is the index of the entry that wrote it, so versions are unique and only grow. NOOP and
 * CONFIGURATION entries only advance the applied index. A command that cannot be decoded is
 * answered with {@link StateResult.Status#MALFORMED} and changes nothing (on every replica alike),
 * instead of stopping the node.
 *
 * <h2>Threads</h2>
 * One applier thread calls {@link #apply}; any number of threads read. A read-write lock makes
 * each apply atomic for readers: a read never sees half of an entry, and a {@link #scan} is a
 * snapshot at one applied index. Returned values are immutable by contract and shared: do not
 * modify their arrays.
 *
 * <h2>Stamping</h2>
 * The machine owns the node's {@link HybridClock}: as leader the node has each command
 * {@link #stamp stamped} with a tick of it before proposing, and every entry the node stores is
 * {@link #observe observed}, so the stamps of a new leader follow every stamp in its log even when
 * the leaders' wall clocks disagree.
 */
public final class KeyValueStateMachine implements StateMachine<byte[]> {

    /** Default time idempotency keys and idle client sessions are remembered, in log time. */
    public static final Duration DEFAULT_IDEMPOTENCY_RETENTION = Duration.ofHours(24);

    private static final byte[] NO_RESULT = new byte[0];
    private static final byte SNAPSHOT_FORMAT_VERSION = 1;

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, NavigableMap<ByteKey, StoredValue>> maps = new HashMap<>();
    private final Duration idempotencyRetention;
    private final HybridClock clock = new HybridClock();
    private final LongSupplier wallClockMillis;
    private ClientSessions sessions;
    private long appliedIndex;
    private long lastTimestamp;

    /** A state machine remembering idempotency keys for {@link #DEFAULT_IDEMPOTENCY_RETENTION}. */
    public KeyValueStateMachine() {
        this(DEFAULT_IDEMPOTENCY_RETENTION);
    }

    /**
     * @param idempotencyRetention how long, in log time, idempotency keys (from first use) and idle
     *     client sessions are remembered; must be the same on every node and longer than any
     *     client's retry window
     */
    public KeyValueStateMachine(Duration idempotencyRetention) {
        this(idempotencyRetention, System::currentTimeMillis);
    }

    /** @param wallClockMillis the physical time {@link #stamp} ticks the hybrid clock with */
    KeyValueStateMachine(Duration idempotencyRetention, LongSupplier wallClockMillis) {
        this.idempotencyRetention = idempotencyRetention;
        this.wallClockMillis = wallClockMillis;
        this.sessions = new ClientSessions(idempotencyRetention);
    }

    /** Sets the leader's hybrid-clock timestamp into an encoded {@link CommandEnvelope}. */
    @Override
    public byte[] stamp(byte[] envelope) {
        return CommandEnvelope.stamp(envelope, clock.tick(wallClockMillis.getAsLong()));
    }

    /** Takes in the leader stamp of a stored command entry (see "Stamping" above). */
    @Override
    public void observe(LogEntry stored) {
        if (stored.type() == EntryType.COMMAND) {
            try {
                clock.observe(CommandEnvelope.timestampOf(stored.payload()));
            } catch (IllegalArgumentException malformed) {
                // Applying answers a malformed command with MALFORMED; it carries no time.
            }
        }
    }

    /**
     * Applies the committed entry that follows {@link #appliedIndex()}.
     *
     * @return for a COMMAND entry, the encoded {@link StateResult}; for other entries, no bytes
     * @throws IllegalStateException when the entry is not the next one: the caller must apply each
     *     committed entry once and in order
     */
    @Override
    public byte[] apply(LogEntry entry) {
        lock.writeLock().lock();
        try {
            if (entry.index() != appliedIndex + 1) {
                throw new IllegalStateException("entry " + entry.index() + " cannot be applied after entry "
                        + appliedIndex + ": apply each committed entry exactly once, in log order"
                        + " (restore a snapshot first when the log starts later)");
            }
            byte[] result = entry.type() == EntryType.COMMAND ? applyCommand(entry) : NO_RESULT;
            appliedIndex = entry.index();
            return result;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private byte[] applyCommand(LogEntry entry) {
        CommandEnvelope envelope;
        StateCommand command;
        try {
            envelope = CommandEnvelope.decode(entry.payload());
            command = StateCommand.decode(envelope.body());
        } catch (IllegalArgumentException e) {
            return StateResult.refused(StateResult.Status.MALFORMED, null,
                    "entry " + entry.index() + " was not applied: " + e.getMessage()).encode();
        }
        lastTimestamp = Math.max(lastTimestamp, envelope.timestamp());
        long nowMillis = HybridClock.physicalMillis(lastTimestamp);
        sessions.expire(nowMillis);
        byte[] earlier = sessions.answerIfSeen(envelope, nowMillis);
        if (earlier != null) {
            return earlier;
        }
        byte[] result = execute(command, entry.index(), envelope.timestamp()).encode();
        sessions.remember(envelope, result, nowMillis);
        return result;
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

    private static StateResult execute(StateCommand command, NavigableMap<ByteKey, StoredValue> map, long index,
                                       long timestamp) {
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
        return StateResult.refused(StateResult.Status.VERSION_CONFLICT, current,
                "expected version " + expectedVersion + " but found " + (current == null ? 0 : current.version()));
    }

    /** The index of the last applied entry (0 before the first). */
    @Override
    public long appliedIndex() {
        lock.readLock().lock();
        try {
            return appliedIndex;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The greatest hybrid timestamp among applied entries: the state's log time (0 before any). */
    public long lastTimestamp() {
        lock.readLock().lock();
        try {
            return lastTimestamp;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The value stored for {@code key} in {@code map}, or null when absent. */
    public @Nullable StoredValue get(String map, byte[] key) {
        lock.readLock().lock();
        try {
            NavigableMap<ByteKey, StoredValue> entries = maps.get(map);
            return entries == null ? null : entries.get(new ByteKey(key));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** How many keys {@code map} holds. */
    public int size(String map) {
        lock.readLock().lock();
        try {
            NavigableMap<ByteKey, StoredValue> entries = maps.get(map);
            return entries == null ? 0 : entries.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The entries of {@code map} whose key starts with {@code prefix} (empty: all), ordered by
     * key bytes (unsigned), as one snapshot at the current applied index; read-only.
     */
    public List<StoredEntry> scan(String map, byte[] prefix) {
        lock.readLock().lock();
        try {
            NavigableMap<ByteKey, StoredValue> entries = maps.get(map);
            if (entries == null) {
                return List.of();
            }
            List<StoredEntry> result = new ArrayList<>();
            for (Map.Entry<ByteKey, StoredValue> entry : entries.tailMap(new ByteKey(prefix), true).entrySet()) {
                byte[] key = entry.getKey().bytes();
                if (!startsWith(key, prefix)) {
                    break;
                }
                result.add(new StoredEntry(key.clone(), entry.getValue()));
            }
            return List.copyOf(result);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** How many client sessions are remembered. */
    public int clientSessionCount() {
        lock.readLock().lock();
        try {
            return sessions.sessionCount();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** How many idempotency keys are remembered. */
    public int idempotencyKeyCount() {
        lock.readLock().lock();
        try {
            return sessions.idempotencyKeyCount();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The whole state (maps, sessions, applied index, log time) in a compact binary form, taken
     * at one applied index: what a snapshot stores.
     */
    public byte[] snapshot() {
        lock.readLock().lock();
        try {
            BinaryWriter writer = new BinaryWriter(1024).writeByte(SNAPSHOT_FORMAT_VERSION)
                    .writeLong(appliedIndex).writeLong(lastTimestamp).writeInt(maps.size());
            for (Map.Entry<String, NavigableMap<ByteKey, StoredValue>> map : new TreeMap<>(maps).entrySet()) {
                writer.writeString(map.getKey()).writeInt(map.getValue().size());
                for (Map.Entry<ByteKey, StoredValue> entry : map.getValue().entrySet()) {
                    StoredValue value = entry.getValue();
                    writer.writeBytes(entry.getKey().bytes()).writeBytes(value.value())
                            .writeLong(value.version()).writeLong(value.timestamp());
                }
            }
            // Sessions are written under the read lock: only the applier changes them, under the write lock.
            sessions.writeTo(writer);
            return writer.toByteArray();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Replaces the whole state with a {@link #snapshot()}; entries after its applied index are
     * applied next.
     *
     * @throws IllegalArgumentException when {@code snapshot} is not a valid snapshot; the state is
     *     then unchanged
     */
    public void restore(byte[] snapshot) {
        BinaryReader reader = StateFormat.reader(snapshot, "state machine snapshot");
        StateFormat.requireVersion(reader, SNAPSHOT_FORMAT_VERSION);
        long restoredIndex = reader.readLong("applied index");
        long restoredTimestamp = reader.readLong("last timestamp");
        Map<String, NavigableMap<ByteKey, StoredValue>> restoredMaps = new HashMap<>();
        int mapCount = reader.readInt("map count");
        for (int i = 0; i < mapCount; i++) {
            String name = reader.readString("map name");
            NavigableMap<ByteKey, StoredValue> entries = new TreeMap<>();
            int entryCount = reader.readInt("entry count");
            for (int j = 0; j < entryCount; j++) {
                entries.put(new ByteKey(reader.readBytes("key")), new StoredValue(reader.readBytes("value"),
                        reader.readLong("value version"), reader.readLong("value timestamp")));
            }
            restoredMaps.put(name, entries);
        }
        ClientSessions restoredSessions = ClientSessions.readFrom(reader, idempotencyRetention);
        reader.requireEnd();
        lock.writeLock().lock();
        try {
            maps.clear();
            maps.putAll(restoredMaps);
            sessions = restoredSessions;
            appliedIndex = restoredIndex;
            lastTimestamp = restoredTimestamp;
        } finally {
            lock.writeLock().unlock();
        }
        // A node that leads after restoring stamps later than anything in the snapshot.
        clock.observe(restoredTimestamp);
    }

    /** Writes {@link #snapshot()}: maps, client sessions, idempotency records, log time. */
    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        out.write(snapshot());
    }

    /**
     * Reads what {@link #writeSnapshot} wrote (the stream's remaining bytes) and {@link #restore
     * restores} it.
     *
     * @throws IOException when the bytes are not a snapshot, or not one at {@code index}; the
     *     state is then unchanged
     */
    @Override
    public void restoreSnapshot(long index, InputStream in) throws IOException {
        byte[] snapshot = in.readAllBytes();
        try {
            BinaryReader header = StateFormat.reader(snapshot, "state machine snapshot");
            StateFormat.requireVersion(header, SNAPSHOT_FORMAT_VERSION);
            long snapshotIndex = header.readLong("applied index");
            if (snapshotIndex != index) {
                throw new IOException("the state machine snapshot is at index " + snapshotIndex + ", not " + index);
            }
            restore(snapshot);
        } catch (IllegalArgumentException malformed) {
            throw new IOException(malformed.getMessage(), malformed);
        }
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length
                && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** A key's bytes, ordered unsigned-lexicographically so that prefixes sort before extensions. */
    private record ByteKey(byte[] bytes) implements Comparable<ByteKey> {

        @Override
        public int compareTo(ByteKey other) {
            return Arrays.compareUnsigned(bytes, other.bytes);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ByteKey that && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
