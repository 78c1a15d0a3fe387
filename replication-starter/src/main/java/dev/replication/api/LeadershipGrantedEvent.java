package dev.replication.api;

/**
 * Published when this node becomes the leader of {@link #generation()}. Work started on it should
 * carry the generation as a fencing token: after a network partition an old leader can still
 * believe it leads for a moment, but its generation is lower than the new leader's.
 */
public class LeadershipGrantedEvent extends LeadershipEvent {

    public LeadershipGrantedEvent(String nodeId, long generation) {
        super(nodeId, generation);
    }
}
