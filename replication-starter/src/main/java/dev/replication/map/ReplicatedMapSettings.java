package dev.replication.map;

import java.time.Duration;

/**
 * How the replicated maps of {@link ReplicatedMapRegistry} wait and retry.
 *
 * @param writeTimeout how long a write waits to be committed and applied before failing with
 *     {@code OutcomeUnknownException} (or {@code NotAppliedException} when the runtime knows it
 *     never entered the log). Longer rides out a leader election; shorter frees callers sooner.
 * @param readTimeout how long a {@code LINEARIZABLE} read, or the confirmation of an atomic
 *     operation that changes nothing, waits for this node to catch up before failing with
 *     {@code ReplicationUnavailableException}
 * @param maxCasAttempts how many compare-and-set attempts an atomic read-modify-write makes
 *     under contention before failing with {@code UpdateContentionException}
 * @param maxKeyBytes largest serialized key; larger fails with {@code EntryTooLargeException}
 * @param maxValueBytes largest serialized value; larger fails with {@code EntryTooLargeException}
 */
public record ReplicatedMapSettings(
        Duration writeTimeout, Duration readTimeout, int maxCasAttempts, int maxKeyBytes, int maxValueBytes) {

    /** Default key and value limits: 4 KiB and 1 MiB. */
    public static final int DEFAULT_MAX_KEY_BYTES = 4 * 1024;

    public static final int DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;

    /** 10 s write and read timeouts (longer than a few election rounds), 64 CAS attempts. */
    public static final ReplicatedMapSettings DEFAULTS =
            new ReplicatedMapSettings(Duration.ofSeconds(10), Duration.ofSeconds(10), 64);

    /** With the default key and value limits. */
    public ReplicatedMapSettings(Duration writeTimeout, Duration readTimeout, int maxCasAttempts) {
        this(writeTimeout, readTimeout, maxCasAttempts, DEFAULT_MAX_KEY_BYTES, DEFAULT_MAX_VALUE_BYTES);
    }

    public ReplicatedMapSettings {
        if (maxKeyBytes < 1 || maxValueBytes < 1) {
            throw new IllegalArgumentException(
                    "key and value limits must be at least 1 byte, were " + maxKeyBytes + " and " + maxValueBytes);
        }
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
