package dev.replication.api;

import org.springframework.context.ApplicationEvent;

/**
 * A change of this node's leadership: {@link LeadershipGrantedEvent} or {@link
 * LeadershipRevokedEvent}. Listen to this type to receive both, in order.
 */
public abstract class LeadershipEvent extends ApplicationEvent {

    private final String nodeId;
    private final long generation;

    protected LeadershipEvent(Object source, String nodeId, long generation) {
        super(source);
        this.nodeId = nodeId;
        this.generation = generation;
    }

    /** This node's id. */
    public String nodeId() {
        return nodeId;
    }

    /** The generation (term) this event is about: the one granted, or the one that ended. */
    public long generation() {
        return generation;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[node=" + nodeId + ", generation=" + generation + "]";
    }
}
