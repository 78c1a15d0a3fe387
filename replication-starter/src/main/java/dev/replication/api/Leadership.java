package dev.replication.api;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Who leads the cluster, as this node knows it: inject it anywhere. The generation (term)
 * grows with every election, so it fences work done on behalf of a leadership that has ended.
 */
public interface Leadership {

    /** This node's id. */
    String nodeId();

    /** Whether this node is the leader right now. */
    boolean isLeader();

    /** The leader this node knows of; empty during an election or without quorum. */
    Optional<String> leaderId();

    /**
     * Inside a {@link LeaderOnly} method: the generation in which the call was admitted.
     * Elsewhere: the generation this node currently leads.
     *
     * @throws NotLeaderException when called outside a {@link LeaderOnly} method on a node that
     *     is not the leader
     */
    long generation();

    /** Thrown by {@link #generation()} on a node that does not lead. */
    class NotLeaderException extends ReplicationUnavailableException {
        public NotLeaderException(String message, @Nullable String leaderId) {
            super(message, leaderId);
        }
    }
}
