package dev.replication.runtime;

import dev.replication.core.Replica;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import dev.replication.log.LogHealth;
import dev.replication.log.SegmentedLog;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A point-in-time view of a node for operators (Actuator) and health checks.
 *
 * @param catchingUp null once the node applied what was committed when it started; until then
 *     why it is not ready (see {@code ReplicationNode#catchingUp()})
 * @param failure why the node stopped serving (fail-stop after an I/O error), or null
 * @param storage the log's disk: full, or a persist in progress and for how long
 * @param snapshots the newest durable checkpoint and the snapshot transfers in progress
 */
public record NodeStatus(
        String nodeId,
        Role role,
        @Nullable String leaderId,
        long generation,
        long commitIndex,
        long appliedIndex,
        long firstIndex,
        long lastIndex,
        Map<String, PeerStatus> peers,
        @Nullable String catchingUp,
        @Nullable String failure,
        LogHealth storage,
        SnapshotStatus snapshots) {

    /** The status as the update-queue thread sees it (call it only there). */
    static NodeStatus of(
            String nodeId,
            Replica replica,
            long appliedIndex,
            SegmentedLog log,
            long tickMillis,
            @Nullable String catchingUp,
            @Nullable String failure,
            SnapshotStatus snapshots) {
        RoleState role = replica.roleState();
        Map<String, PeerStatus> peers = new HashMap<>();
        replica.progress()
                .forEach((peer, progress) -> peers.put(
                        peer,
                        new PeerStatus(
                                progress.matchIndex(),
                                Math.max(0, log.lastIndex() - progress.matchIndex()),
                                progress.ticksSinceLastContact() < 0
                                        ? -1
                                        : progress.ticksSinceLastContact() * tickMillis,
                                progress.logRegressions(),
                                progress.lastLostFrom(),
                                progress.lastLostTo())));
        return new NodeStatus(
                nodeId,
                role.role(),
                role.leaderId(),
                role.generation(),
                replica.commitIndex(),
                appliedIndex,
                log.firstIndex(),
                log.lastIndex(),
                Map.copyOf(peers),
                catchingUp,
                failure,
                log.health(),
                snapshots);
    }

    /**
     * Checkpoints and snapshot installs.
     *
     * @param checkpointIndex the index of the newest durable checkpoint (0: none yet)
     * @param checkpointBytes what the checkpoint store's files take on disk (-1: unknown)
     * @param checkpointFailure why the last checkpoint failed, or null
     * @param sending leader: transfers in progress by follower, as bytes acknowledged of the total
     * @param receiving follower: the transfer in progress from the leader, or null
     */
    public record SnapshotStatus(
            long checkpointIndex,
            long checkpointBytes,
            @Nullable String checkpointFailure,
            Map<String, Transfer> sending,
            @Nullable Transfer receiving) {

        /** One snapshot in transit: which one, and how far. */
        public record Transfer(long snapshotIndex, long bytesDone, long totalBytes) {}
    }

    /**
     * What the leader knows of one follower.
     *
     * @param lastContactMillis milliseconds since the leader last heard from it (-1: never)
     * @param logRegressions how often, while this node leads, the follower came back without
     *     entries it had acknowledged (it acknowledged before fsync and lost power)
     * @param lastLostFrom first index of the latest such loss (0: none)
     * @param lastLostTo last index of the latest such loss (0: none)
     */
    public record PeerStatus(
            long matchIndex,
            long lag,
            long lastContactMillis,
            long logRegressions,
            long lastLostFrom,
            long lastLostTo) {}
}
