package dev.replication.runtime;

import java.nio.file.Path;
import java.util.Objects;

/**
 * When a node checkpoints its state and how much log it keeps below a checkpoint.
 *
 * @param everyEntries a checkpoint starts once this many entries were applied since the last one
 * @param everyBytes or once this many payload bytes were applied since the last one
 * @param marginEntries entries kept in the log below a checkpoint, so a follower a little behind
 *     catches up from the log instead of needing a snapshot; whole segments are deleted, so the
 *     log may keep more
 * @param storeDirectory where the checkpoint store keeps its files (for messages)
 */
public record CheckpointSettings(long everyEntries, long everyBytes, long marginEntries, Path storeDirectory) {

    /** etcd's snapshot count: a checkpoint at least every 100,000 entries. */
    public static final long DEFAULT_EVERY_ENTRIES = 100_000;

    public static final long DEFAULT_EVERY_BYTES = 256L * 1024 * 1024;

    public static final long DEFAULT_MARGIN_ENTRIES = 10_000;

    public CheckpointSettings {
        if (everyEntries < 1 || everyBytes < 1 || marginEntries < 0) {
            throw new IllegalArgumentException("checkpoints need everyEntries >= 1 (was " + everyEntries
                    + "), everyBytes >= 1 (was " + everyBytes + ") and marginEntries >= 0 (was " + marginEntries + ")");
        }
        Objects.requireNonNull(storeDirectory, "storeDirectory");
    }

    /** The defaults, with the store in {@code storeDirectory}. */
    public static CheckpointSettings defaults(Path storeDirectory) {
        return new CheckpointSettings(
                DEFAULT_EVERY_ENTRIES, DEFAULT_EVERY_BYTES, DEFAULT_MARGIN_ENTRIES, storeDirectory);
    }

    String describeStore() {
        return storeDirectory.toString();
    }
}
