package dev.replication.runtime;

import java.time.Duration;

/**
 * How a {@link SnapshotSender} sends: chunk size, timeouts and the bounds on retries.
 *
 * @param chunkBytes data bytes per call; lowered to fit the transport's request limit
 * @param callTimeout how long one call may take; the last one includes the receiver's fsync
 * @param maxAttempts failed calls (or answers that accept nothing) in a row before giving up
 * @param initialBackoff the wait before the first retry, doubled per failure up to {@code maxBackoff}
 * @param maxBackoff the longest wait between retries
 * @param maxRestarts how many times a damaged transfer (checksum mismatch) starts again from 0
 */
public record SnapshotSenderSettings(
        int chunkBytes,
        Duration callTimeout,
        int maxAttempts,
        Duration initialBackoff,
        Duration maxBackoff,
        int maxRestarts) {

    public static final int DEFAULT_CHUNK_BYTES = 256 * 1024;

    public SnapshotSenderSettings {
        if (chunkBytes < 1
                || callTimeout.isNegative()
                || callTimeout.isZero()
                || maxAttempts < 1
                || initialBackoff.isNegative()
                || maxBackoff.compareTo(initialBackoff) < 0
                || maxRestarts < 0) {
            throw new IllegalArgumentException("invalid snapshot sender settings: " + chunkBytes + " chunk bytes, "
                    + callTimeout + " call timeout, " + maxAttempts + " attempts, backoff " + initialBackoff
                    + ".." + maxBackoff + ", " + maxRestarts + " restarts");
        }
    }

    /** 256 KiB chunks, 30 s per call, 10 attempts, backoff 100 ms to 5 s, 3 restarts. */
    public static SnapshotSenderSettings defaults() {
        return new SnapshotSenderSettings(
                DEFAULT_CHUNK_BYTES, Duration.ofSeconds(30), 10, Duration.ofMillis(100), Duration.ofSeconds(5), 3);
    }

    public SnapshotSenderSettings withChunkBytes(int bytes) {
        return new SnapshotSenderSettings(bytes, callTimeout, maxAttempts, initialBackoff, maxBackoff, maxRestarts);
    }

    public SnapshotSenderSettings withMaxAttempts(int attempts) {
        return new SnapshotSenderSettings(chunkBytes, callTimeout, attempts, initialBackoff, maxBackoff, maxRestarts);
    }
}
