package dev.replication.api;

/**
 * Published when this node stops being the leader of {@link #generation()} (it saw a higher
 * generation, lost its quorum, stepped down or shut down). Stop leader-only work started under
 * that generation; a successor may already be running it.
 */
public class LeadershipRevokedEvent extends LeadershipEvent {

    public LeadershipRevokedEvent(String nodeId, long generation) {
        super(nodeId, generation);
    }
}
