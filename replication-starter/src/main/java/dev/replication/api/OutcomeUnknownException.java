package dev.replication.api;

import org.jspecify.annotations.Nullable;

/**
 * A write may or may not have been committed: it entered the log but no answer came in time
 * (timeout, leader change, this node lost contact). It may still be applied later. Read the key
 * before retrying, or retry with the same idempotency key
 * ({@link ReplicatedMap#withIdempotencyKey(String)}), which is applied at most once.
 */
public class OutcomeUnknownException extends ReplicationException {

    public OutcomeUnknownException(String message) {
        super(message);
    }

    public OutcomeUnknownException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
