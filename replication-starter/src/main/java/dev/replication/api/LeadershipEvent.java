package dev.replication.api;

/**
 * A change of this node's leadership: {@link LeadershipGrantedEvent} or {@link
 * LeadershipRevokedEvent}. Listen to this type to receive both, in order (with Spring, an
 * {@code @EventListener} method taking it; the starter publishes it as an application event).
 * A plain object, so the public API does not tie applications to Spring's event classes.
 */
public abstract class LeadershipEvent {

    private final String nodeId;
    private final long generation;

    protected LeadershipEvent(String nodeId, long generation) {
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
