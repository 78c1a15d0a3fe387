package dev.replication.api;

/**
 * An idempotency key was already used for a different request (another operation, key, value or
 * expected version); the new request was not applied. Use a fresh key for a new request (an
 * HTTP API maps this to 422).
 */
public class IdempotencyKeyConflictException extends ReplicationException {

    private final String idempotencyKey;

    public IdempotencyKeyConflictException(String message, String idempotencyKey) {
        super(message);
        this.idempotencyKey = idempotencyKey;
    }

    /** The key that was reused. */
    public String idempotencyKey() {
        return idempotencyKey;
    }
}
