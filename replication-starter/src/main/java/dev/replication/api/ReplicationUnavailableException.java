package dev.replication.api;

import org.jspecify.annotations.Nullable;

/**
 * The cluster could not serve the request right now and nothing changed: there is no reachable
 * leader, no quorum, or this node is too far behind to serve a read. Safe to retry later or on
 * another node (an HTTP API maps it to 503 with {@code Retry-After}).
 */
public class ReplicationUnavailableException extends ReplicationException {

    private final @Nullable String leaderId;

    /**
     * @param leaderId the leader this node knows of, or null when it knows none
     */
    public ReplicationUnavailableException(String message, @Nullable String leaderId) {
        super(message);
        this.leaderId = leaderId;
    }

    public ReplicationUnavailableException(String message, @Nullable String leaderId, @Nullable Throwable cause) {
        super(message, cause);
        this.leaderId = leaderId;
    }

    /** The leader this node knew of when the request failed, or null when it knew none. */
    public @Nullable String leaderId() {
        return leaderId;
    }
}
