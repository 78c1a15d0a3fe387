package dev.replication.runtime;

import dev.replication.log.LowWaterMarkFile;
import dev.replication.state.CheckpointStore;
import dev.replication.state.KeyValueStateMachine;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a node needs to checkpoint its state and compact its log, and to send and receive snapshot
 * installs. The node uses the store and the mark; whoever opened them closes them after the node.
 *
 * @param machine the node's state machine (the same instance the node applies to)
 * @param store where checkpoints go
 * @param lowWaterMark the mark written after each durable checkpoint, before any segment is deleted
 * @param settings when to checkpoint and the log margin kept
 * @param transferDirectory where snapshots in transit are kept (received ones, exports for followers)
 * @param backupDirectory where backups are written
 * @param restoreFrom a backup an empty node starts from (replication.restore-from), or null
 */
public record SnapshotStorage(
        KeyValueStateMachine machine,
        CheckpointStore store,
        LowWaterMarkFile lowWaterMark,
        CheckpointSettings settings,
        Path transferDirectory,
        Path backupDirectory,
        @Nullable Path restoreFrom) {

    public SnapshotStorage {
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(lowWaterMark, "lowWaterMark");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(transferDirectory, "transferDirectory");
        Objects.requireNonNull(backupDirectory, "backupDirectory");
    }
}
