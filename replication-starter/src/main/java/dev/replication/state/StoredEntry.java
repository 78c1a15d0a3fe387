package dev.replication.state;

import java.util.Objects;

/**
 * A key with its stored value, as listed by {@link KeyValueStateMachine#scan}. The key array is a
 * copy owned by the caller.
 */
public record StoredEntry(byte[] key, StoredValue value) {

    public StoredEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
