package dev.replication.runtime;

import dev.replication.core.InstallSnapshot;
import dev.replication.core.SnapshotInstall;
import dev.replication.log.FileLayer;
import dev.replication.log.LowWaterMarkFile;
import dev.replication.state.CheckpointContents;
import dev.replication.state.CheckpointHeader;
import dev.replication.state.CheckpointStore;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.transport.PeerTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshot installs, both ends. The leader exports its newest checkpoint to a file (once per
 * checkpoint, on the checkpoint thread) and streams it to a follower that needs compacted entries
 * ({@link SnapshotSender}, on its own threads: heartbeats and votes never wait behind a transfer).
 * The follower stores it aside and fsyncs it ({@link SnapshotReceiver}), then hands the core the
 * leader's {@link InstallSnapshot}; when the core orders the install, the snapshot replaces the
 * checkpoint store's contents in one transaction, the state machine is restored from it, and the
 * Low-Water Mark names it, before the log is restarted after it. A crash before the store's commit
 * leaves the old state; after it, start-up reconciles the log with the new checkpoint.
 */
final class SnapshotInstalls implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SnapshotInstalls.class);
    static final String OPERATION = SnapshotTransferProtocol.INSTALL_SNAPSHOT;

    private final String nodeId;
    private final KeyValueStateMachine machine;
    private final CheckpointStore store;
    private final LowWaterMarkFile lowWaterMark;
    private final Checkpointing checkpointing;
    private final Path directory;
    private final ExecutorService transferThreads;
    private final ExecutorService receiverThread;
    private final SnapshotSender sender;
    private final SnapshotReceiver receiver;
    // Update thread only: the snapshots that arrived, by (index, generation), until installed or superseded.
    private final Map<String, SnapshotReceiver.ReceivedSnapshot> arrived = new HashMap<>();
    // The newest export (checkpoint thread writes, any thread reads).
    private volatile @Nullable Export export;

    private record Export(long index, long generation, Path file) {}

    SnapshotInstalls(
            String nodeId,
            SnapshotStorage storage,
            Checkpointing checkpointing,
            PeerTransport transport,
            Consumer<NodeEvent> events) {
        this.nodeId = nodeId;
        this.machine = storage.machine();
        this.store = storage.store();
        this.lowWaterMark = storage.lowWaterMark();
        this.checkpointing = checkpointing;
        this.directory = storage.transferDirectory();
        this.transferThreads = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "replication-snapshot-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
        FileLayer files = FileLayer.system();
        this.sender = new SnapshotSender(transport, files, transferThreads, SnapshotSenderSettings.defaults());
        this.receiverThread = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "replication-snapshot-receiver-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
        this.receiver = new SnapshotReceiver(
                directory,
                files,
                SnapshotReceiver.DEFAULT_MAX_SNAPSHOT_BYTES,
                receiverThread,
                snapshot -> events.accept(new NodeEvent.SnapshotArrived(snapshot)));
    }

    /** Start only: removes what an earlier run left half-received or exported. */
    void cleanUp() throws IOException {
        receiver.cleanUp();
        try (var listing = Files.list(directory)) {
            for (Path file : listing.toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith("outgoing-") || name.startsWith("snapshot-")) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /** Inbound thread: a chunk of a snapshot from the leader. */
    CompletableFuture<byte[]> onChunk(String fromPeer, byte[] body) {
        return receiver.onCall(fromPeer, body);
    }

    /**
     * Leader, update thread: the core asks for a snapshot to go to a follower. Exports the newest
     * checkpoint if it has not been yet, then streams it; a failure is reported back as
     * {@link NodeEvent.SnapshotSendFailed} so the core probes again later.
     */
    void send(InstallSnapshot request, Consumer<NodeEvent> events) {
        String peer = request.to();
        if (sender.progress(peer) != null) {
            return; // one transfer per follower; the core asks again after its own timeout
        }
        checkpointing
                .onCheckpointThread(this::currentExport)
                .thenCompose(current ->
                        sender.send(peer, current.file(), current.index(), current.generation(), request.generation()))
                .whenComplete((progress, error) -> {
                    if (error != null) {
                        log.warn("Node {} could not send its snapshot to {}: {}", nodeId, peer, error.toString());
                        events.accept(new NodeEvent.SnapshotSendFailed(peer));
                    } else {
                        log.info(
                                "Node {} sent its snapshot at index {} ({} bytes) to {}",
                                nodeId,
                                progress.snapshotIndex(),
                                progress.totalBytes(),
                                peer);
                    }
                });
    }

    /** Checkpoint thread: the export of the newest checkpoint, made now if it is older. */
    private Export currentExport() throws IOException {
        long durable = checkpointing.lastDurableIndex();
        Export current = export;
        if (current != null && current.index() >= durable) {
            return current;
        }
        Export made = exportNewest(directory, "outgoing-");
        Path file = made.file();
        export = made;
        if (current != null && !current.file().equals(file)) {
            // A transfer still reading it has the file open; on POSIX it reads on until it is done.
            Files.deleteIfExists(current.file());
        }
        log.info(
                "Node {} exported its checkpoint at index {} for followers ({} bytes)",
                nodeId,
                made.index(),
                Files.size(file));
        return made;
    }

    /**
     * An online, consistent copy of the newest durable checkpoint, written (and forced) into
     * {@code dir} on the checkpoint thread, after any checkpoint already queued there.
     */
    CompletableFuture<Backup> backup(Path dir) {
        return checkpointing.onCheckpointThread(() -> {
            Files.createDirectories(dir);
            Export made = exportNewest(dir, "backup-" + nodeId + "-");
            long bytes = Files.size(made.file());
            log.info(
                    "Node {} wrote a backup of its state at index {} to {} ({} bytes)",
                    nodeId,
                    made.index(),
                    made.file(),
                    bytes);
            return new Backup(made.file(), made.index(), made.generation(), bytes);
        });
    }

    /**
     * Checkpoint thread: the store's newest checkpoint exported into {@code dir} as
     * {@code <prefix><index>-<generation>.snap}, written to a temp file, forced and renamed, so a
     * reader never sees half a file under the final name.
     */
    private Export exportNewest(Path dir, String prefix) throws IOException {
        Path temp = dir.resolve(prefix + "export.tmp");
        CheckpointHeader header;
        try (FileChannel channel = FileChannel.open(
                        temp,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                OutputStream out = Channels.newOutputStream(channel)) {
            header = store.exportLatest(out);
            out.flush();
            channel.force(true);
        }
        Path file = dir.resolve(prefix + header.appliedIndex() + "-" + header.appliedGeneration() + ".snap");
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new Export(header.appliedIndex(), header.appliedGeneration(), file);
    }

    /**
     * Start only, on an empty node: makes the backup in {@code file} its checkpoint (store and
     * Low-Water Mark), so it starts from that state.
     */
    void restoreBackup(Path file) throws IOException {
        CheckpointHeader header;
        try (InputStream in = Files.newInputStream(file)) {
            header = store.importSnapshot(in);
        }
        lowWaterMark.save(new LowWaterMarkFile.Mark(header.appliedIndex(), header.appliedGeneration()));
        log.info(
                "Node {} restored the backup {} (state at index {}, generation {})",
                nodeId,
                file,
                header.appliedIndex(),
                header.appliedGeneration());
    }

    /** Follower, update thread: a whole snapshot is stored; the core gets the leader's message. */
    InstallSnapshot arrived(SnapshotReceiver.ReceivedSnapshot snapshot) {
        arrived.values().removeIf(older -> {
            if (older.snapshotIndex() < snapshot.snapshotIndex()) {
                deleteQuietly(older.file());
                return true;
            }
            return false;
        });
        arrived.put(key(snapshot.snapshotIndex(), snapshot.snapshotGeneration()), snapshot);
        return new InstallSnapshot(
                snapshot.fromPeer(),
                nodeId,
                snapshot.leaderGeneration(),
                snapshot.snapshotIndex(),
                snapshot.snapshotGeneration());
    }

    /**
     * Follower, update thread: the core ordered the install. Replaces the store's contents with the
     * snapshot (on the checkpoint thread, after any checkpoint in flight, waited for), restores the
     * machine from the store, and writes the Low-Water Mark. The caller restarts the log after it.
     *
     * @throws IllegalStateException when the snapshot cannot be installed (the store is then
     *     unchanged, but the core has moved on: the node must stop and restart from its old state)
     */
    void install(SnapshotInstall install) {
        SnapshotReceiver.ReceivedSnapshot snapshot = arrived.remove(key(install.index(), install.generation()));
        if (snapshot == null) {
            throw new IllegalStateException("node " + nodeId + " was told to install the snapshot at index "
                    + install.index() + " (generation " + install.generation() + ") but holds no such snapshot");
        }
        long started = System.nanoTime();
        try {
            checkpointing
                    .onCheckpointThread(() -> {
                        try (InputStream in = Files.newInputStream(snapshot.file())) {
                            CheckpointHeader header = store.importSnapshot(in);
                            if (header.appliedIndex() != install.index()) {
                                throw new IOException("the snapshot file holds index " + header.appliedIndex()
                                        + ", not " + install.index());
                            }
                        }
                        CheckpointContents contents = new CheckpointContents();
                        store.loadLatest(contents);
                        machine.restore(contents);
                        lowWaterMark.save(new LowWaterMarkFile.Mark(install.index(), install.generation()));
                        return null;
                    })
                    .join();
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "node " + nodeId + " could not install the snapshot at index " + install.index() + " from "
                            + snapshot.file() + ": " + e.getMessage() + "; restart the node (its previous state is"
                            + " intact) and it will be sent the snapshot again",
                    e);
        } finally {
            deleteQuietly(snapshot.file());
        }
        checkpointing.installed(install.index());
        log.info(
                "Node {} installed the snapshot at index {} (generation {}) from {} in {} ms",
                nodeId,
                install.index(),
                install.generation(),
                snapshot.fromPeer(),
                (System.nanoTime() - started) / 1_000_000);
    }

    /** Transfers in progress to followers, for status. */
    Map<String, SnapshotTransferProgress> sending() {
        return sender.progress();
    }

    /** A transfer in progress from a leader, for status. */
    SnapshotReceiver.@Nullable Receiving receiving() {
        return receiver.receiving();
    }

    private static String key(long index, long generation) {
        return index + "-" + generation;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", file, e.toString());
        }
    }

    @Override
    public void close() {
        sender.close();
        receiver.close();
        transferThreads.shutdownNow();
        receiverThread.shutdownNow();
    }
}
