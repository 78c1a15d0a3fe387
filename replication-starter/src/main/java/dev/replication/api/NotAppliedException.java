package dev.replication.api;

import org.jspecify.annotations.Nullable;

/**
 * A write certainly did not enter the replicated log (for example no leader, or the leader could
 * not reach a quorum before appending), so it was not and will never be applied. Safe to retry.
 */
public class NotAppliedException extends ReplicationUnavailableException {

    /**
     * @param leaderId the leader this node knows of, or null when it knows none
     */
    public NotAppliedException(String message, @Nullable String leaderId) {
        super(message, leaderId);
    }

    public NotAppliedException(String message, @Nullable String leaderId, @Nullable Throwable cause) {
        super(message, leaderId, cause);
    }
}
