package dev.replication.state;

import java.util.Arrays;
import java.util.Objects;

/**
 * A value as the state machine holds it (Versioned Value). Immutable by contract: the
 * {@code value} array is shared with the state machine and must not be modified.
 *
 * @param value the serialized value
 * @param version the log index of the entry that wrote it
 * @param timestamp the hybrid timestamp the leader stamped into that entry
 */
public record StoredValue(byte[] value, long version, long timestamp) {

    public StoredValue {
        Objects.requireNonNull(value, "value");
        if (version < 1) {
            throw new IllegalArgumentException("version is a log index (>= 1), was " + version);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StoredValue that
                && version == that.version
                && timestamp == that.timestamp
                && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(value), version, timestamp);
    }

    @Override
    public String toString() {
        return "StoredValue[v" + version + ", ts=" + timestamp + ", " + value.length + "B]";
    }
}
