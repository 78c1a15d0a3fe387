package dev.replication.api;

import java.time.Instant;

/**
 * A value as stored in a replicated map, with its Versioned Value metadata.
 *
 * @param value the value, never null
 * @param version the log index of the write that stored this value; it only grows for a key
 *     and is never reused, even after a delete and re-create, so it is safe to use for
 *     compare-and-set ({@link ReplicatedMap#putIfVersion}) and as a fencing token
 * @param timestamp the Hybrid Clock timestamp the leader stamped into that log entry: the upper
 *     48 bits are milliseconds since the epoch, the lower 16 bits a logical counter that orders
 *     writes within one millisecond
 * @param <V> the value type
 */
public record Versioned<V>(V value, long version, long timestamp) {

    public Versioned {
        if (value == null) {
            throw new IllegalArgumentException("a versioned value is never null; an absent key has no Versioned");
        }
        if (version < 1) {
            throw new IllegalArgumentException("version is a log index (>= 1), was " + version);
        }
    }

    /** The wall-clock part of {@link #timestamp()}: when the leader stamped the write. */
    public Instant writtenAt() {
        return Instant.ofEpochMilli(timestamp >>> 16);
    }
}
