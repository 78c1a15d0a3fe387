package dev.replication.api;

import org.springframework.context.ApplicationEvent;

/**
 * Published when this node stops being the leader of {@link #generation()} (it saw a higher
 * generation, lost its quorum, stepped down or shut down). Stop leader-only work started under
 * that generation; a successor may already be running it.
 */
public class LeadershipRevokedEvent extends ApplicationEvent {

    private final String nodeId;
    private final long generation;

    public LeadershipRevokedEvent(Object source, String nodeId, long generation) {
        super(source);
        this.nodeId = nodeId;
        this.generation = generation;
    }

    /** This node's id. */
    public String nodeId() {
        return nodeId;
    }

    /** The generation this node no longer leads. */
    public long generation() {
        return generation;
    }

    @Override
    public String toString() {
        return "LeadershipRevokedEvent[node=" + nodeId + ", generation=" + generation + "]";
    }
}
