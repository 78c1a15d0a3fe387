package dev.replication.core;

import java.util.Objects;
import java.util.Set;

/**
 * The knobs of one {@link Replica}. Time is counted in ticks: the driver decides how long a
 * tick lasts (the runtime uses a fixed wall-clock period, the simulator a logical step).
 *
 * @param id this node's id; must be one of {@code voters}
 * @param voters the ids of every voting member, this node included (fixed until membership
 *     changes arrive as configuration entries)
 * @param electionTimeoutTicks how long a follower waits without hearing from a leader before it
 *     campaigns; the actual timeout is drawn from {@code [t, 2t)} on every reset so that
 *     candidates rarely collide. Shorter detects a dead leader sooner but risks needless
 *     elections when the network or a GC pause delays heartbeats; it also bounds how long a
 *     leader cut off from a majority keeps believing it leads (check-quorum). Must be at least
 *     twice {@code heartbeatIntervalTicks}
 * @param heartbeatIntervalTicks how often the leader sends heartbeats; shorter keeps followers
 *     from campaigning and confirms reads sooner, at the cost of more messages
 * @param maxInflightAppends per follower, how many append messages may be unacknowledged at
 *     once (Request Pipeline); more hides network latency, fewer bounds the memory and the
 *     resending a lost message costs
 * @param maxEntriesPerAppend how many entries one append message carries at most
 * @param maxBytesPerAppend how many payload bytes one append message carries at most (one
 *     entry larger than this is still sent alone); with {@code maxInflightAppends} it bounds the
 *     bytes in flight to a follower. Also bounds the committed entries handed out per {@link
 *     Ready}, so a node catching up applies in batches
 * @param maxReadLagEntries how far (in entries) a follower's durable log may be behind the read
 *     index it was given before a linearizable follower read fails fast instead of waiting
 * @param incarnation a random id of this process start (the driver draws it; the core has no
 *     randomness of its own): requests whose answers are matched by a per-process counter carry
 *     it, so an answer to an earlier process's request is never taken for one to a new request
 * @param snapshotTimeoutTicks how long a leader waits for a follower to acknowledge a snapshot it
 *     was sent ({@link InstallSnapshot}) before it presumes the install lost and probes the
 *     follower again (which sends the snapshot anew if still needed), so a lost install never
 *     wedges a follower; the driver may report a failed transfer sooner ({@link
 *     Replica#snapshotSendFailed}). Long enough for the largest snapshot to stream; the
 *     constructor without it uses {@link #DEFAULT_SNAPSHOT_TIMEOUT_ELECTIONS} election timeouts
 */
public record ReplicaConfig(
        String id,
        Set<String> voters,
        int electionTimeoutTicks,
        int heartbeatIntervalTicks,
        int maxInflightAppends,
        int maxEntriesPerAppend,
        long maxBytesPerAppend,
        long maxReadLagEntries,
        long incarnation,
        int snapshotTimeoutTicks) {

    /** Election timeouts a leader waits for a snapshot install by default. */
    public static final int DEFAULT_SNAPSHOT_TIMEOUT_ELECTIONS = 30;

    /** With the default snapshot timeout ({@link #DEFAULT_SNAPSHOT_TIMEOUT_ELECTIONS}). */
    public ReplicaConfig(
            String id,
            Set<String> voters,
            int electionTimeoutTicks,
            int heartbeatIntervalTicks,
            int maxInflightAppends,
            int maxEntriesPerAppend,
            long maxBytesPerAppend,
            long maxReadLagEntries,
            long incarnation) {
        this(
                id,
                voters,
                electionTimeoutTicks,
                heartbeatIntervalTicks,
                maxInflightAppends,
                maxEntriesPerAppend,
                maxBytesPerAppend,
                maxReadLagEntries,
                incarnation,
                DEFAULT_SNAPSHOT_TIMEOUT_ELECTIONS * electionTimeoutTicks);
    }

    public ReplicaConfig {
        Objects.requireNonNull(id, "id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("replica id is blank; give every node a unique non-empty id");
        }
        voters = Set.copyOf(voters);
        if (!voters.contains(id)) {
            throw new IllegalArgumentException("replica id '" + id + "' is not among the voters " + voters
                    + "; list every node, this one included");
        }
        if (heartbeatIntervalTicks < 1) {
            throw new IllegalArgumentException("heartbeatIntervalTicks must be >= 1, was " + heartbeatIntervalTicks);
        }
        if (electionTimeoutTicks < 2 * heartbeatIntervalTicks) {
            throw new IllegalArgumentException("electionTimeoutTicks (" + electionTimeoutTicks
                    + ") must be at least twice heartbeatIntervalTicks (" + heartbeatIntervalTicks
                    + ") or followers campaign while the leader is healthy; raise the election timeout");
        }
        if (maxInflightAppends < 1) {
            throw new IllegalArgumentException("maxInflightAppends must be >= 1, was " + maxInflightAppends);
        }
        if (maxEntriesPerAppend < 1) {
            throw new IllegalArgumentException("maxEntriesPerAppend must be >= 1, was " + maxEntriesPerAppend);
        }
        if (maxBytesPerAppend < 1) {
            throw new IllegalArgumentException("maxBytesPerAppend must be >= 1, was " + maxBytesPerAppend);
        }
        if (maxReadLagEntries < 0) {
            throw new IllegalArgumentException("maxReadLagEntries must be >= 0, was " + maxReadLagEntries);
        }
        if (snapshotTimeoutTicks < 1) {
            throw new IllegalArgumentException("snapshotTimeoutTicks must be >= 1, was " + snapshotTimeoutTicks);
        }
    }

    /**
     * Defaults for a tick of about 100 ms: election timeout 10 ticks, heartbeat every tick, 8
     * appends in flight of at most 256 entries and 1 MiB each, a read lag of 10,000 entries.
     */
    public static ReplicaConfig withDefaults(String id, Set<String> voters, long incarnation) {
        return new ReplicaConfig(id, voters, 10, 1, 8, 256, 1 << 20, 10_000, incarnation);
    }

    /** The same knobs for another process start. */
    public ReplicaConfig withIncarnation(long newIncarnation) {
        return new ReplicaConfig(
                id,
                voters,
                electionTimeoutTicks,
                heartbeatIntervalTicks,
                maxInflightAppends,
                maxEntriesPerAppend,
                maxBytesPerAppend,
                maxReadLagEntries,
                newIncarnation,
                snapshotTimeoutTicks);
    }

    /** The same knobs with another snapshot timeout. */
    public ReplicaConfig withSnapshotTimeoutTicks(int ticks) {
        return new ReplicaConfig(
                id,
                voters,
                electionTimeoutTicks,
                heartbeatIntervalTicks,
                maxInflightAppends,
                maxEntriesPerAppend,
                maxBytesPerAppend,
                maxReadLagEntries,
                incarnation,
                ticks);
    }
}
