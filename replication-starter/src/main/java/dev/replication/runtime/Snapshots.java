package dev.replication.runtime;

import dev.replication.core.InstallSnapshot;
import dev.replication.core.Replica;
import dev.replication.core.SnapshotInstall;
import dev.replication.core.SnapshotMeta;
import dev.replication.log.SegmentedLog;
import dev.replication.transport.PeerTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of snapshots: at start, the newest checkpoint restored and the log reconciled
 * with it; during the run, checkpoints that let the log be compacted, and snapshot installs sent
 * to followers and taken from leaders. {@link #none()} keeps every entry in the log (tests and
 * nodes without a checkpoint store). Everything but {@link #onChunk} runs on the update thread.
 */
class Snapshots implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Snapshots.class);

    /** A node without checkpoints: nothing is ever compacted, so no install is ever needed. */
    static Snapshots none() {
        return new Snapshots();
    }

    private final @Nullable Checkpointing checkpointing;
    private final @Nullable SnapshotInstalls installs;
    private final @Nullable SegmentedLog segmentedLog;
    private final String nodeId;
    private final Consumer<NodeEvent> events;
    private final @Nullable SnapshotStorage storage;
    private long compactedUpTo;

    private Snapshots() {
        this.checkpointing = null;
        this.installs = null;
        this.segmentedLog = null;
        this.nodeId = "";
        this.events = event -> {};
        this.storage = null;
    }

    Snapshots(
            String nodeId,
            SnapshotStorage storage,
            SegmentedLog segmentedLog,
            PeerTransport transport,
            Consumer<NodeEvent> events) {
        this.nodeId = nodeId;
        this.segmentedLog = segmentedLog;
        this.events = events;
        this.storage = storage;
        this.checkpointing = new Checkpointing(
                nodeId, storage.machine(), storage.store(), storage.lowWaterMark(), storage.settings());
        this.installs = new SnapshotInstalls(nodeId, storage, checkpointing, transport, events);
    }

    /**
     * Start only, before the core is built: restores the newest checkpoint into the state machine
     * and makes the log continue it. A log that ends before the checkpoint or disagrees with it at
     * its index (a snapshot install interrupted by a crash replaced the state, or fsync-policy
     * interval lost entries the checkpoint covers) is restarted after it.
     *
     * @return the core's snapshot base
     * @throws IllegalStateException when the checkpoint is older than the Low-Water Mark, or the
     *     log starts after the checkpoint's next index (entries in between are gone)
     */
    SnapshotMeta restore() {
        if (checkpointing == null || installs == null || segmentedLog == null) {
            return SnapshotMeta.NONE;
        }
        try {
            installs.cleanUp();
            restoreBackupIfAsked();
        } catch (IOException e) {
            throw new UncheckedIOException("node " + nodeId + " cannot prepare its snapshots: " + e, e);
        }
        Checkpointing.Base base = checkpointing.restore(events);
        compactedUpTo = base.index();
        if (base.index() == 0) {
            return SnapshotMeta.NONE;
        }
        long first = segmentedLog.firstIndex();
        long last = segmentedLog.lastIndex();
        boolean continues = first <= base.index()
                && base.index() <= last
                && segmentedLog.generationAt(base.index()) == base.generation();
        if (!continues && first != base.index() + 1) {
            if (first > base.index() + 1) {
                throw new IllegalStateException("node " + nodeId + ": its checkpoint ends at index " + base.index()
                        + " but its log starts at " + first + ", so entries in between are lost. Restore the"
                        + " whole data directory from one backup, or wipe it and let the node rejoin the cluster.");
            }
            log.info(
                    "Node {}: its log [{}..{}] does not continue its checkpoint at index {} (generation {}); it"
                            + " restarts empty after the checkpoint and receives the rest from the leader",
                    nodeId,
                    first,
                    last,
                    base.index(),
                    base.generation());
            segmentedLog.restartAfter(base.index()).join();
        }
        return new SnapshotMeta(base.index(), base.generation());
    }

    /**
     * replication.restore-from on a node that has nothing yet: the backup becomes its checkpoint.
     * A node that already holds state or log refuses, so a forgotten setting never overwrites it.
     */
    private void restoreBackupIfAsked() throws IOException {
        SnapshotStorage own = storage;
        Path from = own == null ? null : own.restoreFrom();
        if (own == null || from == null || installs == null || segmentedLog == null) {
            return;
        }
        if (own.lowWaterMark().load().index() > 0 || segmentedLog.lastIndex() > 0) {
            log.info(
                    "Node {} already holds state (log up to {}); replication.restore-from={} is ignored: it"
                            + " applies only to an empty data directory",
                    nodeId,
                    segmentedLog.lastIndex(),
                    from);
            return;
        }
        if (!java.nio.file.Files.isRegularFile(from)) {
            throw new IllegalStateException("replication.restore-from names " + from
                    + ", which is not a file: give the path of a backup written by the replication endpoint");
        }
        installs.restoreBackup(from);
    }

    /**
     * A backup of the state as of a checkpoint taken now (or the one in flight): the checkpoint
     * is queued first on the checkpoint thread, then the export.
     */
    CompletableFuture<Backup> backup(long appliedIndex, long appliedBytes) {
        if (checkpointing == null || installs == null || storage == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("node " + nodeId
                    + " keeps no checkpoints (replication.checkpoint.enabled=false), so it cannot write a backup"));
        }
        checkpointing.checkpointNow(appliedIndex, appliedBytes);
        return installs.backup(storage.backupDirectory());
    }

    /** After each turn: a checkpoint starts when enough was applied. */
    void afterTurn(long appliedIndex, long appliedBytes) {
        if (checkpointing != null) {
            checkpointing.afterTurn(appliedIndex, appliedBytes);
        }
    }

    /**
     * A checkpoint is durable and the Low-Water Mark names it: the core stops reading below the
     * first kept index, then the log deletes whole segments below it (in that order: the deletion
     * runs on the log's writer thread).
     */
    void checkpointDurable(NodeEvent.CheckpointDurable durable, Replica replica, NodeMetrics metrics) {
        if (checkpointing == null || segmentedLog == null) {
            return;
        }
        metrics.checkpointed(durable.tookMillis());
        checkpointing.finished(durable.index());
        if (durable.index() <= compactedUpTo) {
            return; // an install moved the base past it meanwhile
        }
        long firstKept = checkpointing.firstKeptIndex(durable.index());
        replica.compact(durable.index(), durable.generation(), firstKept);
        compactedUpTo = durable.index();
        segmentedLog.truncatePrefix(firstKept);
    }

    void checkpointFailed(boolean wholeNext) {
        if (checkpointing != null) {
            checkpointing.failed(wholeNext);
        }
    }

    /** Leader: a follower needs compacted entries. */
    void send(InstallSnapshot request) {
        if (installs == null) {
            log.warn("Node {} has no snapshots to send to {} (no checkpoint store)", nodeId, request.to());
            events.accept(new NodeEvent.SnapshotSendFailed(request.to()));
            return;
        }
        installs.send(request, events);
    }

    /** Inbound thread: a chunk of a snapshot install. */
    CompletableFuture<byte[]> onChunk(String fromPeer, byte[] body) {
        if (installs == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "node " + nodeId + " takes no snapshot installs (it has no checkpoint store)"));
        }
        return installs.onChunk(fromPeer, body);
    }

    /** Follower: a whole snapshot arrived; the leader's message for the core. */
    InstallSnapshot arrived(NodeEvent.SnapshotArrived arrived) {
        if (installs == null) {
            throw new IllegalStateException("node " + nodeId + " received a snapshot without a checkpoint store");
        }
        return installs.arrived(arrived.snapshot());
    }

    /**
     * Follower: the core ordered an install. The store and the machine hold the snapshot when this
     * returns; the returned future completes once the log restarted after it (or at once when the
     * core keeps the log's suffix).
     */
    CompletableFuture<Void> install(SnapshotInstall install) {
        if (installs == null || segmentedLog == null) {
            throw new IllegalStateException("node " + nodeId + " was told to install a snapshot without a store");
        }
        installs.install(install);
        compactedUpTo = Math.max(compactedUpTo, install.index());
        return install.keepSuffix()
                ? CompletableFuture.completedFuture(null)
                : segmentedLog.restartAfter(install.index());
    }

    /** The index of the newest durable checkpoint; 0 without one. */
    long checkpointIndex() {
        return checkpointing == null ? 0 : checkpointing.lastDurableIndex();
    }

    @Nullable
    String checkpointFailure() {
        return checkpointing == null ? null : checkpointing.lastFailure();
    }

    /** Transfers in progress to followers (leader). */
    Map<String, SnapshotTransferProgress> sending() {
        return installs == null ? Map.of() : installs.sending();
    }

    /** A transfer in progress from the leader (follower). */
    SnapshotReceiver.@Nullable Receiving receiving() {
        return installs == null ? null : installs.receiving();
    }

    /** Any thread: what operators see of checkpoints and transfers. */
    NodeStatus.SnapshotStatus status() {
        Map<String, NodeStatus.SnapshotStatus.Transfer> sent = new java.util.TreeMap<>();
        sending()
                .forEach((peer, progress) -> sent.put(
                        peer,
                        new NodeStatus.SnapshotStatus.Transfer(
                                progress.snapshotIndex(), progress.bytesAcknowledged(), progress.totalBytes())));
        SnapshotReceiver.Receiving incoming = receiving();
        return new NodeStatus.SnapshotStatus(
                checkpointIndex(),
                storage == null ? -1 : storage.store().sizeOnDisk(),
                checkpointFailure(),
                Map.copyOf(sent),
                incoming == null
                        ? null
                        : new NodeStatus.SnapshotStatus.Transfer(
                                incoming.snapshotIndex(), incoming.bytesReceived(), incoming.totalBytes()));
    }

    @Override
    public void close() {
        if (installs != null) {
            installs.close();
        }
        if (checkpointing != null) {
            checkpointing.close();
        }
    }
}
