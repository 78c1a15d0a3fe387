package dev.replication.state;

import java.time.Duration;
import java.util.Objects;

/**
 * How much the Idempotent Receiver remembers, for the whole cluster. The leader stamps its
 * configured limits into every entry it appends ({@link KeyValueStateMachine#stamp}), and applying
 * an entry uses the limits stamped into it, never the applying node's own configuration: so every
 * replica forgets the same keys at the same entry even when nodes are configured differently (the
 * current leader's configuration wins). Entries stamped without limits use {@link #DEFAULTS}.
 *
 * @param retention how long, in log time, an idempotency key is remembered after it was first
 *     applied, and an idle client session is kept; must be longer than any client's retry window
 * @param maxIdempotencyKeys how many idempotency keys are remembered at most; when a new key would
 *     exceed it, the oldest is forgotten first. Each key costs about {@value #BYTES_PER_IDEMPOTENCY_KEY}
 *     bytes of heap whatever the size of its request or value, so this is also the byte bound
 * @param maxSessionBytes how many bytes the client sessions' cached answers (which include the
 *     previous value of a write) and the sessions themselves take at most; beyond it the answers of
 *     the least recently active sessions are discarded first (a retry of one is answered "answer
 *     discarded", that is, outcome unknown, and never applied twice)
 */
public record IdempotencyLimits(Duration retention, int maxIdempotencyKeys, long maxSessionBytes) {

    /** Heap one remembered idempotency key takes on a 64-bit JVM with compressed pointers (bench/run-idempotency-memory: 119 at 100,000 keys, 132 at 200,000). */
    public static final int BYTES_PER_IDEMPOTENCY_KEY = 130;

    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
    public static final int DEFAULT_MAX_IDEMPOTENCY_KEYS = 200_000;
    public static final long DEFAULT_MAX_SESSION_BYTES = 16L * 1024 * 1024;
    /** Smallest session budget: a few answers of the largest default value. */
    public static final long MIN_SESSION_BYTES = 64L * 1024;

    /** 24 hours, 200,000 keys (about 26 MB of heap), 16 MiB of session answers. */
    public static final IdempotencyLimits DEFAULTS =
            new IdempotencyLimits(DEFAULT_RETENTION, DEFAULT_MAX_IDEMPOTENCY_KEYS, DEFAULT_MAX_SESSION_BYTES);

    public IdempotencyLimits {
        Objects.requireNonNull(retention, "retention");
        if (retention.toMillis() < 1) {
            throw new IllegalArgumentException("idempotency retention must be at least 1 ms, was " + retention);
        }
        if (maxIdempotencyKeys < 1) {
            throw new IllegalArgumentException(
                    "the idempotency key limit must be at least 1, was " + maxIdempotencyKeys);
        }
        if (maxSessionBytes < MIN_SESSION_BYTES) {
            throw new IllegalArgumentException("the client session limit must be at least " + MIN_SESSION_BYTES
                    + " bytes, was " + maxSessionBytes);
        }
    }

    /** These limits with another retention. */
    public IdempotencyLimits withRetention(Duration newRetention) {
        return new IdempotencyLimits(newRetention, maxIdempotencyKeys, maxSessionBytes);
    }

    /** These limits with another idempotency key bound. */
    public IdempotencyLimits withMaxIdempotencyKeys(int keys) {
        return new IdempotencyLimits(retention, keys, maxSessionBytes);
    }

    /** These limits with another client session bound. */
    public IdempotencyLimits withMaxSessionBytes(long bytes) {
        return new IdempotencyLimits(retention, maxIdempotencyKeys, bytes);
    }

    long retentionMillis() {
        return retention.toMillis();
    }
}
