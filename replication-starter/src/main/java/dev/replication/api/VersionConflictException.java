package dev.replication.api;

/**
 * A compare-and-set ({@link ReplicatedMap#putIfVersion}, {@link ReplicatedMap#removeIfVersion})
 * found another version than the expected one; nothing was changed. Read the current value
 * (its version is {@link #currentVersion()}) and decide again.
 */
public class VersionConflictException extends ReplicationException {

    private final long expectedVersion;
    private final long currentVersion;

    public VersionConflictException(String message, long expectedVersion, long currentVersion) {
        super(message);
        this.expectedVersion = expectedVersion;
        this.currentVersion = currentVersion;
    }

    /** The version the caller expected (0: absent). */
    public long expectedVersion() {
        return expectedVersion;
    }

    /** The version found when the write was applied (0: the key was absent). */
    public long currentVersion() {
        return currentVersion;
    }
}
