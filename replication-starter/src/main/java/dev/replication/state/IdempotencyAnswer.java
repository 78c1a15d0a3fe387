package dev.replication.state;

/**
 * One remembered idempotency key as a checkpoint stores it: the key's digest (the first 128 bits
 * of the SHA-256 of its UTF-8 bytes; the key itself is never kept), the fingerprint of its request
 * and the compact answer to it.
 *
 * @param status the {@link StateResult.Status} code of the answer
 * @param appliedAtMillis the log time the key was first applied, from which its retention counts
 */
public record IdempotencyAnswer(
        Digest digest,
        long fingerprint,
        int status,
        long version,
        long timestamp,
        long beforeVersion,
        long appliedAtMillis) {

    /** The 128-bit digest that identifies an idempotency key. */
    public record Digest(long high, long low) {}
}
