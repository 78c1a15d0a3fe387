package dev.replication.runtime;

import dev.replication.core.Role;
import java.util.Map;

/**
 * A point-in-time view of a node for operators (Actuator) and health checks.
 *
 * @param failure why the node stopped serving (fail-stop after an I/O error), or null
 */
public record NodeStatus(
        String nodeId,
        Role role,
        String leaderId,
        long generation,
        long commitIndex,
        long appliedIndex,
        long firstIndex,
        long lastIndex,
        Map<String, PeerStatus> peers,
        String failure) {

    /**
     * What the leader knows of one follower.
     *
     * @param lastContactMillis milliseconds since the leader last heard from it (-1: never)
     */
    public record PeerStatus(long matchIndex, long lag, long lastContactMillis) {
    }
}
