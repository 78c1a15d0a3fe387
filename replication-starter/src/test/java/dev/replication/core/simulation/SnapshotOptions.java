package dev.replication.core.simulation;

/**
 * How simulated nodes take snapshots and compact their logs.
 *
 * @param everyEntries a node snapshots its state machine once it has applied this many entries
 *     past its last snapshot, then compacts its log keeping a random margin below it (0: never)
 * @param snapshotTimeoutTicks how long a leader waits for an install to be acknowledged ({@link
 *     dev.replication.core.ReplicaConfig#snapshotTimeoutTicks})
 * @param compactBeforeSnapshotIsDurable an injected mistake: the node compacts (and deletes log
 *     entries) as soon as it has taken a snapshot, which becomes durable only at its next sync, so
 *     a crash in between loses entries that neither the durable snapshot nor the log holds
 */
public record SnapshotOptions(int everyEntries, int snapshotTimeoutTicks, boolean compactBeforeSnapshotIsDurable) {

    /** No snapshots: the log is never compacted. */
    public static final SnapshotOptions OFF = new SnapshotOptions(0, 1, false);

    public SnapshotOptions {
        if (everyEntries < 0 || snapshotTimeoutTicks < 1) {
            throw new IllegalArgumentException("everyEntries must be >= 0 and snapshotTimeoutTicks >= 1, were "
                    + everyEntries + " and " + snapshotTimeoutTicks);
        }
    }

    public boolean enabled() {
        return everyEntries > 0;
    }

    /** The same options with the mistake injected. */
    public SnapshotOptions compactingBeforeSnapshotIsDurable() {
        return new SnapshotOptions(everyEntries, snapshotTimeoutTicks, true);
    }
}
