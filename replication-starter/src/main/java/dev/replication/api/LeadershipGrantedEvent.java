package dev.replication.api;

import org.springframework.context.ApplicationEvent;

/**
 * Published when this node becomes the leader of {@link #generation()}. Work started on it should
 * carry the generation as a fencing token: after a network partition an old leader can still
 * believe it leads for a moment, but its generation is lower than the new leader's.
 */
public class LeadershipGrantedEvent extends ApplicationEvent {

    private final String nodeId;
    private final long generation;

    public LeadershipGrantedEvent(Object source, String nodeId, long generation) {
        super(source);
        this.nodeId = nodeId;
        this.generation = generation;
    }

    /** This node's id. */
    public String nodeId() {
        return nodeId;
    }

    /** The generation (term) this node leads. */
    public long generation() {
        return generation;
    }

    @Override
    public String toString() {
        return "LeadershipGrantedEvent[node=" + nodeId + ", generation=" + generation + "]";
    }
}
