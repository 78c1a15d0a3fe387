package dev.replication.spring;

import dev.replication.log.DataDirectory;
import dev.replication.log.FsyncPolicy;
import dev.replication.log.HardStateFile;
import dev.replication.log.LogOptions;
import dev.replication.log.LowWaterMarkFile;
import dev.replication.log.SegmentedLog;
import dev.replication.runtime.CheckpointSettings;
import dev.replication.runtime.SnapshotStorage;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.jdbc.H2CheckpointStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's data directory, opened and locked at startup (so a second process on the same
 * directory fails fast), with its write-ahead log, hard-state file and checkpoint store. Closed last, after the
 * node has stopped. Public so an application can define its own bean of it (for example on a
 * directory it prepared), which the auto-configuration then uses.
 */
public final class NodeStorage implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeStorage.class);

    private final ReplicationSetup setup;
    private final DataDirectory directory;
    private final SegmentedLog segmentedLog;
    private final HardStateFile hardState;
    private final @Nullable H2CheckpointStore checkpointStore;

    private NodeStorage(
            ReplicationSetup setup,
            DataDirectory directory,
            SegmentedLog segmentedLog,
            HardStateFile hardState,
            @Nullable H2CheckpointStore checkpointStore) {
        this.setup = setup;
        this.directory = directory;
        this.segmentedLog = segmentedLog;
        this.checkpointStore = checkpointStore;
        this.hardState = hardState;
    }

    /**
     * The largest record this node's log stores: whatever one peer request can carry, and at least
     * this node's own largest entry. Never only this node's map limits: those bound what it
     * proposes, but a leader configured with larger ones must not make this follower fail-stop.
     */
    private static int maxRecordBytes(ReplicationSetup setup, MapProperties map) {
        long ownEntries = map.getMaxValueSize().toBytes() + map.getMaxKeySize().toBytes() + 4096;
        long peerRequests = setup.maxPeerBodyBytes() + 4096L;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(ownEntries, peerRequests));
    }

    public static NodeStorage open(ReplicationSetup setup) {
        LogProperties logProperties = setup.properties().getLog();
        MapProperties map = setup.properties().getMap();
        DataDirectory directory = DataDirectory.open(setup.dataDir(), setup.clusterId(), setup.nodeId());
        try {
            LogOptions options = LogOptions.defaults()
                    .withSegmentBytes(logProperties.getSegmentSize().toBytes())
                    .withMaxRecordBytes(maxRecordBytes(setup, map))
                    .withStallThreshold(logProperties.getStallThreshold())
                    .withDiskFullRetryInterval(logProperties.getDiskFullRetryInterval());
            FsyncPolicy policy = logProperties.getFsyncPolicy();
            if (policy == FsyncPolicy.INTERVAL) {
                log.warn(
                        "replication.log.fsync-policy=interval: acknowledged writes can be lost if a majority of "
                                + "nodes crash within {} of each other",
                        logProperties.getFsyncInterval());
                options = options.withIntervalFsync(logProperties.getFsyncInterval());
            }
            SegmentedLog segmentedLog = SegmentedLog.open(directory.logDirectory(), options);
            H2CheckpointStore checkpoints = null;
            long compactedBelow =
                    new LowWaterMarkFile(directory.lowWaterMarkFile()).load().index();
            if (!setup.properties().getCheckpoint().isEnabled() && compactedBelow > 0) {
                segmentedLog.close();
                throw new ReplicationConfigurationException(
                        "replication.checkpoint.enabled is false, but node " + setup.nodeId()
                                + " compacted its log below a checkpoint at index " + compactedBelow
                                + ": without the checkpoint it would start with a hole in its state",
                        "Set replication.checkpoint.enabled=true again for this data directory (" + setup.dataDir()
                                + "), or wipe it and let the node rejoin the cluster");
            }
            if (setup.properties().getCheckpoint().isEnabled()) {
                try {
                    checkpoints = new H2CheckpointStore(directory.checkpointDirectory());
                } catch (RuntimeException e) {
                    segmentedLog.close();
                    throw e;
                }
            }
            return new NodeStorage(
                    setup, directory, segmentedLog, new HardStateFile(directory.hardStateFile()), checkpoints);
        } catch (RuntimeException e) {
            directory.close();
            throw e;
        }
    }

    public SegmentedLog log() {
        return segmentedLog;
    }

    public HardStateFile hardState() {
        return hardState;
    }

    /**
     * Checkpoints and snapshot installs for {@code machine}, or null when
     * replication.checkpoint.enabled is false.
     */
    public @Nullable SnapshotStorage snapshotStorage(KeyValueStateMachine machine) {
        if (checkpointStore == null) {
            return null;
        }
        CheckpointProperties checkpoint = setup.properties().getCheckpoint();
        return new SnapshotStorage(
                machine,
                checkpointStore,
                new LowWaterMarkFile(directory.lowWaterMarkFile()),
                new CheckpointSettings(
                        checkpoint.getEveryEntries(),
                        checkpoint.getEveryBytes().toBytes(),
                        checkpoint.getLogMarginEntries(),
                        directory.checkpointDirectory()),
                directory.directory().resolve("snapshots"),
                directory.directory().resolve("backups"),
                setup.properties().getRestoreFrom());
    }

    @Override
    public void close() {
        try {
            try {
                if (checkpointStore != null) {
                    checkpointStore.close();
                }
            } finally {
                segmentedLog.close();
            }
        } finally {
            directory.close();
            if (setup.temporaryDataDir()) {
                deleteRecursively(setup.dataDir());
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not delete the temporary data directory {}: {}", dir, e.getMessage());
        }
    }
}
