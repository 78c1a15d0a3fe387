package dev.replication.spring;

import java.time.Duration;

/**
 * How a {@link DefaultReplicatedMap} waits and retries.
 *
 * @param writeTimeout how long a write waits to be committed and applied before failing with
 *     {@code OutcomeUnknownException} (or {@code NotAppliedException} when the runtime knows it
 *     never entered the log). Longer rides out a leader election; shorter frees callers sooner.
 * @param readTimeout how long a {@code LINEARIZABLE} read, or the confirmation of an atomic
 *     operation that changes nothing, waits for this node to catch up before failing with
 *     {@code ReplicationUnavailableException}
 * @param maxCasAttempts how many compare-and-set attempts an atomic read-modify-write makes
 *     under contention before failing with {@code UpdateContentionException}
 */
public record ReplicatedMapSettings(Duration writeTimeout, Duration readTimeout, int maxCasAttempts) {

    /** 10 s write and read timeouts (longer than a few election rounds), 64 CAS attempts. */
    public static final ReplicatedMapSettings DEFAULTS =
            new ReplicatedMapSettings(Duration.ofSeconds(10), Duration.ofSeconds(10), 64);

    public ReplicatedMapSettings {
        requirePositive(writeTimeout, "writeTimeout");
        requirePositive(readTimeout, "readTimeout");
        if (maxCasAttempts < 1) {
            throw new IllegalArgumentException("maxCasAttempts must be at least 1, was " + maxCasAttempts);
        }
    }

    private static void requirePositive(Duration duration, String name) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + duration);
        }
    }
}
