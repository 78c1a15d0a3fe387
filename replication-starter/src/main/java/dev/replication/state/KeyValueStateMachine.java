package dev.replication.state;

import dev.replication.core.EntryType;
import dev.replication.core.LogEntry;
import dev.replication.core.StateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
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
 * greatest physical time stamped by a leader into an applied {@link CommandEnvelope}, and the
 * {@link IdempotencyLimits} applied to an entry are those its leader stamped into it, never this
 * node's own. A value's
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
    public static final Duration DEFAULT_IDEMPOTENCY_RETENTION = IdempotencyLimits.DEFAULT_RETENTION;

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final KeyValueState state = new KeyValueState();
    private final IdempotencyLimits configuredLimits;
    private final HybridClock clock = new HybridClock();
    private final LongSupplier wallClockMillis;

    /** A state machine that, when its node leads, stamps {@link IdempotencyLimits#DEFAULTS}. */
    public KeyValueStateMachine() {
        this(IdempotencyLimits.DEFAULTS);
    }

    /** With the default limits but {@code idempotencyRetention}; see {@link #KeyValueStateMachine(IdempotencyLimits)}. */
    public KeyValueStateMachine(Duration idempotencyRetention) {
        this(IdempotencyLimits.DEFAULTS.withRetention(idempotencyRetention));
    }

    /**
     * @param configuredLimits what this node stamps into the entries it appends while it leads;
     *     applying always uses the limits stamped into each entry, so the leader's configuration
     *     is the cluster's
     */
    public KeyValueStateMachine(IdempotencyLimits configuredLimits) {
        this(configuredLimits, System::currentTimeMillis);
    }

    /** @param wallClockMillis the physical time {@link #stamp} ticks the hybrid clock with */
    KeyValueStateMachine(Duration idempotencyRetention, LongSupplier wallClockMillis) {
        this(IdempotencyLimits.DEFAULTS.withRetention(idempotencyRetention), wallClockMillis);
    }

    KeyValueStateMachine(IdempotencyLimits configuredLimits, LongSupplier wallClockMillis) {
        this.configuredLimits = Objects.requireNonNull(configuredLimits, "configuredLimits");
        this.wallClockMillis = wallClockMillis;
    }

    /**
     * Sets the leader's hybrid-clock timestamp and this node's configured {@link IdempotencyLimits}
     * into an encoded {@link CommandEnvelope}.
     */
    @Override
    public byte[] stamp(byte[] envelope) {
        return CommandEnvelope.stamp(envelope, clock.tick(wallClockMillis.getAsLong()), configuredLimits);
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
            return state.apply(entry);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The index of the last applied entry (0 before the first). */
    @Override
    public long appliedIndex() {
        lock.readLock().lock();
        try {
            return state.appliedIndex;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The greatest hybrid timestamp among applied entries: the state's log time (0 before any). */
    public long lastTimestamp() {
        lock.readLock().lock();
        try {
            return state.lastTimestamp;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The value stored for {@code key} in {@code map}, or null when absent. */
    public @Nullable StoredValue get(String map, byte[] key) {
        lock.readLock().lock();
        try {
            NavigableMap<ByteKey, StoredValue> entries = state.maps.get(map);
            return entries == null ? null : entries.get(new ByteKey(key));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** How many keys {@code map} holds. */
    public int size(String map) {
        lock.readLock().lock();
        try {
            NavigableMap<ByteKey, StoredValue> entries = state.maps.get(map);
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
            NavigableMap<ByteKey, StoredValue> entries = state.maps.get(map);
            if (entries == null) {
                return List.of();
            }
            List<StoredEntry> result = new ArrayList<>();
            for (Map.Entry<ByteKey, StoredValue> entry :
                    entries.tailMap(new ByteKey(prefix), true).entrySet()) {
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
            return state.sessions.sessionCount();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** How many idempotency keys are remembered. */
    public int idempotencyKeyCount() {
        lock.readLock().lock();
        try {
            return state.sessions.idempotencyKeyCount();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * How many idempotency keys were forgotten before their retention because the bound was
     * reached (a retry of one of them is applied again): raise the bound when this grows.
     */
    public long evictedIdempotencyKeyCount() {
        lock.readLock().lock();
        try {
            return state.sessions.evictedIdempotencyKeyCount();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The bytes the client sessions count against {@link IdempotencyLimits#maxSessionBytes()}. */
    public long clientSessionBytes() {
        lock.readLock().lock();
        try {
            return state.sessions.sessionBytes();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The limits stamped into the last applied command (the cluster's); the built-in defaults before one. */
    public IdempotencyLimits idempotencyLimitsInEffect() {
        lock.readLock().lock();
        try {
            return state.limitsInEffect == null ? IdempotencyLimits.DEFAULTS : state.limitsInEffect;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The whole state (maps, sessions, applied index, log time, limits in effect) in a compact
     * binary form ({@link StateSnapshot}), taken at one applied index: what a snapshot stores.
     */
    public byte[] snapshot() {
        lock.readLock().lock();
        try {
            // Sessions are written under the read lock: only the applier changes them, under the write lock.
            return StateSnapshot.write(new StateSnapshot.Contents(
                    state.appliedIndex, state.lastTimestamp, state.limitsInEffect, state.maps, state.sessions));
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
        restore(snapshot, 0);
    }

    /**
     * Like {@link #restore(byte[])}, knowing the generation of the entry at the snapshot's index,
     * which the next checkpoint records as the core's snapshot base. After either, the next
     * {@link #captureChanges} is a full capture.
     */
    public void restore(byte[] snapshot, long generation) {
        StateSnapshot.Contents restored = StateSnapshot.read(snapshot);
        lock.writeLock().lock();
        try {
            state.replaceWith(restored, generation);
        } finally {
            lock.writeLock().unlock();
        }
        // A node that leads after restoring stamps later than anything in the snapshot.
        clock.observe(restored.lastTimestamp());
    }

    /**
     * Replaces the whole state with a checkpoint loaded from a {@link CheckpointStore}; entries
     * after its applied index are applied next, and {@link #captureChanges} records changes from
     * it.
     *
     * @throws IllegalArgumentException when the contents are inconsistent (an unknown answer
     *     status); the state is then unchanged
     */
    public void restore(CheckpointContents checkpoint) {
        lock.writeLock().lock();
        try {
            state.replaceWith(checkpoint);
        } finally {
            lock.writeLock().unlock();
        }
        clock.observe(checkpoint.header().lastTimestamp());
    }

    /**
     * What changed since the previous capture (or since this machine was created empty, or
     * restored from a checkpoint), for an incremental checkpoint. Call it on the update thread
     * between two applies: it holds the write lock for O(sessions changed), handing over the
     * change record of the maps and idempotency keys as it is, so applying pauses for
     * microseconds, not O(state). Right after a snapshot was restored it is {@link #captureAll}.
     */
    public CheckpointDelta captureChanges() {
        lock.writeLock().lock();
        try {
            return state.captureChanges();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * The whole state as a delta that {@link CheckpointDelta#replacesAll replaces all}, for a
     * first checkpoint into an empty store or after a snapshot install. It runs under the write
     * lock (on the update thread) and is O(state), but copies only references: about 100 ms per
     * million keys (bench/run-checkpoint), rare enough to pause applying once.
     */
    public CheckpointDelta captureAll() {
        lock.writeLock().lock();
        try {
            return state.captureAll();
        } finally {
            lock.writeLock().unlock();
        }
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
            long snapshotIndex = StateSnapshot.indexOf(snapshot);
            if (snapshotIndex != index) {
                throw new IOException("the state machine snapshot is at index " + snapshotIndex + ", not " + index);
            }
            restore(snapshot, 0);
        } catch (IllegalArgumentException malformed) {
            throw new IOException(malformed.getMessage(), malformed);
        }
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
