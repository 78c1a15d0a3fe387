package dev.replication.core;

/**
 * The base of a log after a durable snapshot: every entry up to {@code index} is covered by the
 * snapshot, and the entry at {@code index} had {@code generation}. The driver restores it with the
 * snapshot and hands it to the {@link Replica}; {@link #NONE} for a node without a snapshot.
 */
public record SnapshotMeta(long index, long generation) {

    /** No snapshot: the log starts at index 1. */
    public static final SnapshotMeta NONE = new SnapshotMeta(0, 0);

    public SnapshotMeta {
        if (index < 0 || generation < 0) {
            throw new IllegalArgumentException(
                    "snapshot index and generation must be >= 0, were " + index + " and " + generation);
        }
        if (index == 0 && generation != 0) {
            throw new IllegalArgumentException("an empty snapshot (index 0) has generation 0, not " + generation);
        }
    }
}
