package dev.replication.spring;

import java.time.Duration;
import org.springframework.util.unit.DataSize;

/** What the Replicated maps wait for, retry and accept. */
public class MapProperties {

    /**
     * How long a write (put, remove, compute...) waits to be committed and applied before it
     * fails with an outcome-unknown error. Longer rides out a leader election; shorter frees
     * callers sooner but leaves more writes whose outcome must be read back.
     */
    private Duration writeTimeout = Duration.ofSeconds(5);

    /**
     * How long a linearizable read waits for its read index to be confirmed and applied
     * before it fails as unavailable. Longer rides out an election; shorter fails fast.
     */
    private Duration readTimeout = Duration.ofSeconds(5);

    /**
     * How many compare-and-set attempts an atomic map operation (putIfAbsent, replace,
     * compute, merge...) makes under contention, with random back-off, before it fails with
     * an update-contention error. More attempts wait longer on a hot key.
     */
    private int maxCasAttempts = 64;

    /**
     * Largest key, in bytes after serialization; at most 16MB. Every key travels in peer
     * messages and is stored on every node, so large keys cost everywhere.
     */
    private DataSize maxKeySize = DataSize.ofKilobytes(4);

    /**
     * Largest value, in bytes after serialization; at most 16MB. Every value travels in one
     * peer request and one log record; large values slow replication for all keys.
     */
    private DataSize maxValueSize = DataSize.ofMegabytes(1);

    /**
     * How long idempotency keys are remembered, measured in log time (the leader's stamps).
     * Longer keeps more keys in the replicated state; unsafe when shorter than any client's
     * retry window, because a retry after it is applied again.
     */
    private Duration idempotencyRetention = Duration.ofHours(24);

    /**
     * Most idempotency keys remembered at once (about 120 bytes each); when full, the oldest
     * are forgotten first and a very late retry of one is applied again. The leader's value
     * is carried in the log, so all nodes forget the same keys.
     */
    private int idempotencyMaxKeys = 200_000;

    /**
     * Most memory for the answers of in-flight client sessions (a node's own retries); when
     * full, the least recently active sessions' answers are discarded and a retry of one is
     * answered outcome unknown, never applied twice. Carried in the log like the key limit.
     */
    private DataSize maxSessionSize = DataSize.ofMegabytes(16);

    public int getIdempotencyMaxKeys() {
        return idempotencyMaxKeys;
    }

    public void setIdempotencyMaxKeys(int idempotencyMaxKeys) {
        this.idempotencyMaxKeys = idempotencyMaxKeys;
    }

    public DataSize getMaxSessionSize() {
        return maxSessionSize;
    }

    public void setMaxSessionSize(DataSize maxSessionSize) {
        this.maxSessionSize = maxSessionSize;
    }

    public Duration getWriteTimeout() {
        return writeTimeout;
    }

    public void setWriteTimeout(Duration writeTimeout) {
        this.writeTimeout = writeTimeout;
    }

    public Duration getReadTimeout() {
        return readTimeout;
    }

    public void setReadTimeout(Duration readTimeout) {
        this.readTimeout = readTimeout;
    }

    public int getMaxCasAttempts() {
        return maxCasAttempts;
    }

    public void setMaxCasAttempts(int maxCasAttempts) {
        this.maxCasAttempts = maxCasAttempts;
    }

    public DataSize getMaxKeySize() {
        return maxKeySize;
    }

    public void setMaxKeySize(DataSize maxKeySize) {
        this.maxKeySize = maxKeySize;
    }

    public DataSize getMaxValueSize() {
        return maxValueSize;
    }

    public void setMaxValueSize(DataSize maxValueSize) {
        this.maxValueSize = maxValueSize;
    }

    public Duration getIdempotencyRetention() {
        return idempotencyRetention;
    }

    public void setIdempotencyRetention(Duration idempotencyRetention) {
        this.idempotencyRetention = idempotencyRetention;
    }
}
