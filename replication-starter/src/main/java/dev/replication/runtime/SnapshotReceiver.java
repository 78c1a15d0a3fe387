package dev.replication.runtime;

import dev.replication.log.FileLayer;
import dev.replication.runtime.SnapshotTransferProtocol.Answer;
import dev.replication.runtime.SnapshotTransferProtocol.Chunk;
import dev.replication.runtime.SnapshotTransferProtocol.SnapshotId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower's side of a snapshot transfer: takes the chunks of {@code install-snapshot} calls
 * and writes them, in order, into {@code <dir>/incoming-<index>-<generation>.part}; on the last
 * one it verifies length and CRC32C, forces the file, renames it atomically to
 * {@code <dir>/snapshot-<index>-<generation>.snap}, syncs the directory and only then hands it to
 * the callback and answers "complete", so a leader never hears "complete" for bytes a crash could
 * take.
 *
 * <p>Rules, each answered in the reply so the sender knows where to go on:
 *
 * <ul>
 *   <li>A chunk at another offset than the one expected writes nothing and is answered with the
 *       expected offset: retried, duplicated or reordered chunks are harmless, and a sender that
 *       restarted resumes where this node is.
 *   <li>One transfer at a time. A snapshot is the same one when its index, generation and length
 *       match, whichever leader sends it; if two leaders' files differ after all, the checksum
 *       fails and the transfer restarts from 0. A newer snapshot (higher index, or the same index
 *       from a higher leader generation) replaces a partial older one and deletes its file; an
 *       older one is refused.
 *   <li>A declared total above {@code maxSnapshotBytes} is refused before anything is written.
 * </ul>
 *
 * <p>Called from the transport's inbound threads; {@link #onCall} does its file work on the
 * {@code io} executor it was given, so neither an inbound thread nor the update queue waits for
 * a write or an fsync. The bytes a partial transfer has written are not forced (the last chunk
 * forces them all), so a restarted node cannot trust them: {@link #cleanUp} deletes them and the
 * transfer starts again from 0.
 */
public final class SnapshotReceiver implements AutoCloseable {

    /**
     * Default bound on a declared snapshot size. Snapshots of this starter's state are expected
     * in the hundreds of MB; 16 GiB leaves a wide margin while stopping a corrupt or hostile total
     * from filling the data volume.
     */
    public static final long DEFAULT_MAX_SNAPSHOT_BYTES = 16L << 30;

    private static final Logger log = LoggerFactory.getLogger(SnapshotReceiver.class);
    private static final String PART_SUFFIX = ".part";

    /**
     * A snapshot stored durably under its final name, for the callback.
     *
     * @param fromPeer the leader that sent it
     * @param leaderGeneration the highest generation in which that leader sent its chunks
     * @param file {@code <dir>/snapshot-<index>-<generation>.snap}; the callback's owner deletes it
     */
    public record ReceivedSnapshot(
            String fromPeer,
            long leaderGeneration,
            long snapshotIndex,
            long snapshotGeneration,
            Path file,
            long length) {}

    /** The transfer in progress, for the status endpoint. */
    public record Receiving(
            long leaderGeneration, long snapshotIndex, long snapshotGeneration, long bytesReceived, long totalBytes) {}

    private final Path dir;
    private final FileLayer files;
    private final long maxSnapshotBytes;
    private final Executor io;
    private final Consumer<ReceivedSnapshot> onReceived;

    // Volatile (and the progress fields below): status reads it without the lock, which the last
    // chunk holds through a long fsync; the node's update thread asks for status.
    private volatile @Nullable Incoming current;
    /** The snapshot completed last: its chunks, resent after a lost "complete", are answered "complete" again. */
    private @Nullable SnapshotId completed;

    /**
     * @param dir where part files and completed snapshots live (created when missing)
     * @param files the file seam, so tests can crash it
     * @param maxSnapshotBytes the largest declared total accepted
     * @param io runs the file work of {@link #onCall}; one thread is enough (chunks of one
     *     transfer come one at a time)
     * @param onReceived takes each completed snapshot before "complete" is answered; it must not
     *     block (it hands the file to the update queue); if it throws, the snapshot file is deleted
     *     and the sender is told to retry, which then starts from 0
     */
    public SnapshotReceiver(
            Path dir, FileLayer files, long maxSnapshotBytes, Executor io, Consumer<ReceivedSnapshot> onReceived) {
        if (maxSnapshotBytes < 0) {
            throw new IllegalArgumentException("maxSnapshotBytes must not be negative, was " + maxSnapshotBytes);
        }
        this.dir = dir;
        this.files = files;
        this.maxSnapshotBytes = maxSnapshotBytes;
        this.io = io;
        this.onReceived = onReceived;
    }

    /**
     * At start, before any chunk: deletes the part files a previous run left behind (their bytes
     * were never forced). Completed {@code .snap} files are left to their owner.
     */
    public synchronized void cleanUp() throws IOException {
        ensureDirectory();
        boolean deleted = false;
        for (Path file : files.list(dir)) {
            String name = file.getFileName().toString();
            if (name.startsWith("incoming-") && name.endsWith(PART_SUFFIX)) {
                files.delete(file);
                deleted = true;
            }
        }
        if (deleted) {
            files.syncDirectory(dir);
        }
    }

    /**
     * The handler of an {@code install-snapshot} call: the answer's bytes, or a failed future for a
     * body that is not a chunk this release can read (the sender sees it as a failed call).
     */
    public CompletableFuture<byte[]> onCall(String fromPeer, byte[] body) {
        return CompletableFuture.supplyAsync(() -> receive(fromPeer, body), io);
    }

    /** The transfer in progress, or null when none is. */
    public @Nullable Receiving receiving() {
        Incoming incoming = current;
        return incoming == null
                ? null
                : new Receiving(
                        incoming.leaderGeneration,
                        incoming.snapshot.snapshotIndex(),
                        incoming.snapshot.snapshotGeneration(),
                        incoming.expected,
                        incoming.snapshot.totalLength());
    }

    /** Closes the part file in progress; its bytes stay until the next {@link #cleanUp}. */
    @Override
    public synchronized void close() {
        Incoming incoming = current;
        current = null;
        if (incoming != null) {
            closeQuietly(incoming);
        }
    }

    synchronized byte[] receive(String fromPeer, byte[] body) {
        Chunk chunk = SnapshotTransferProtocol.decodeChunk(body);
        return SnapshotTransferProtocol.encodeAnswer(answer(fromPeer, chunk));
    }

    private Answer answer(String fromPeer, Chunk chunk) {
        SnapshotId snapshot = chunk.snapshot();
        if (snapshot.totalLength() > maxSnapshotBytes) {
            return new Answer.Refused("snapshot " + describe(snapshot) + " of " + snapshot.totalLength()
                    + " bytes is larger than this node accepts (" + maxSnapshotBytes
                    + " bytes); raise the receiver's maximum snapshot size");
        }
        SnapshotId done = completed;
        if (current == null && done != null) {
            if (sameSnapshot(snapshot, done) && snapshot.leaderGeneration() >= done.leaderGeneration()) {
                return new Answer.Complete(done.totalLength());
            }
            if (!newer(snapshot, done)) {
                return new Answer.Refused("snapshot " + describe(snapshot) + " is older than snapshot " + describe(done)
                        + " this node holds");
            }
        }
        Incoming incoming = current;
        if (incoming != null && !sameSnapshot(snapshot, incoming.snapshot)) {
            if (!newer(snapshot, incoming.current())) {
                return new Answer.Refused("snapshot " + describe(snapshot) + " is older than snapshot "
                        + describe(incoming.current()) + " this node is receiving");
            }
            log.info(
                    "Snapshot {} from {} replaces the partial snapshot {} ({} of {} bytes received)",
                    describe(snapshot),
                    fromPeer,
                    describe(incoming.current()),
                    incoming.expected,
                    incoming.snapshot.totalLength());
            discard(incoming);
            incoming = null;
        } else if (incoming != null && snapshot.leaderGeneration() < incoming.leaderGeneration) {
            return new Answer.Refused("snapshot " + describe(snapshot) + " comes from an older leader generation than "
                    + incoming.leaderGeneration + ", which is sending it now");
        }
        try {
            if (incoming == null) {
                incoming = start(snapshot);
            }
            incoming.leaderGeneration = Math.max(incoming.leaderGeneration, snapshot.leaderGeneration());
            if (chunk.offset() != incoming.expected) {
                return new Answer.Continue(incoming.expected);
            }
            incoming.handle.write(ByteBuffer.wrap(chunk.data()), incoming.expected);
        } catch (IOException failure) {
            // A failed write leaves the expected offset where it was: the retried chunk overwrites it.
            return unavailable(snapshot, "could not write the part file", failure);
        }
        incoming.crc.update(chunk.data());
        incoming.expected += chunk.data().length;
        return chunk.last() ? finish(fromPeer, incoming, chunk.checksum()) : new Answer.Continue(incoming.expected);
    }

    private Incoming start(SnapshotId snapshot) throws IOException {
        ensureDirectory();
        Path part =
                dir.resolve("incoming-" + snapshot.snapshotIndex() + "-" + snapshot.snapshotGeneration() + PART_SUFFIX);
        FileLayer.FileHandle handle = files.open(part, true);
        try {
            handle.truncate(0); // a part file of the same name from an earlier attempt
        } catch (IOException failure) {
            handle.close();
            throw failure;
        }
        Incoming incoming = new Incoming(snapshot, part, handle);
        current = incoming;
        return incoming;
    }

    /** A directory created here is synced into its parent, or a crash could take it with a completed snapshot. */
    private void ensureDirectory() throws IOException {
        if (!files.exists(dir)) {
            files.createDirectories(dir);
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                files.syncDirectory(parent);
            }
        }
    }

    private Answer finish(String fromPeer, Incoming incoming, int expectedChecksum) {
        SnapshotId snapshot = incoming.snapshot;
        int checksum = (int) incoming.crc.getValue();
        long size;
        try {
            size = incoming.handle.size();
        } catch (IOException failure) {
            discard(incoming);
            return unavailable(snapshot, "could not read the part file's size", failure);
        }
        if (checksum != expectedChecksum || size != snapshot.totalLength()) {
            discard(incoming);
            String problem = checksum != expectedChecksum
                    ? "CRC32C " + Integer.toHexString(checksum) + " of the bytes received does not match "
                            + Integer.toHexString(expectedChecksum) + " the leader computed"
                    : "the part file holds " + size + " bytes, not " + snapshot.totalLength();
            log.warn(
                    "Snapshot {} from {} arrived damaged ({}); it was deleted and starts again",
                    describe(snapshot),
                    fromPeer,
                    problem);
            return new Answer.Restart(
                    "snapshot " + describe(snapshot) + " arrived damaged: " + problem + "; send it again from 0");
        }
        Path file = dir.resolve("snapshot-" + snapshot.snapshotIndex() + "-" + snapshot.snapshotGeneration() + ".snap");
        try {
            incoming.handle.force();
            incoming.handle.close();
            files.moveAtomically(incoming.part, file);
            files.syncDirectory(dir);
        } catch (IOException failure) {
            discard(incoming);
            deleteQuietly(file);
            return unavailable(snapshot, "could not store the completed snapshot durably", failure);
        }
        current = null;
        ReceivedSnapshot received = new ReceivedSnapshot(
                fromPeer,
                incoming.leaderGeneration,
                snapshot.snapshotIndex(),
                snapshot.snapshotGeneration(),
                file,
                snapshot.totalLength());
        try {
            onReceived.accept(received);
        } catch (RuntimeException failure) {
            log.warn(
                    "Snapshot {} from {} could not be handed over; it was deleted",
                    describe(snapshot),
                    fromPeer,
                    failure);
            deleteQuietly(file);
            return new Answer.Unavailable("snapshot " + describe(snapshot) + " was stored but could not be handed "
                    + "over (" + failure + "); send it again");
        }
        completed = incoming.current();
        log.info("Snapshot {} from {} received: {} bytes in {}", describe(snapshot), fromPeer, size, file);
        return new Answer.Complete(size);
    }

    private Answer unavailable(SnapshotId snapshot, String what, IOException failure) {
        log.warn("Snapshot {}: {}", describe(snapshot), what, failure);
        return new Answer.Unavailable("snapshot " + describe(snapshot) + ": " + what + " (" + failure + ")");
    }

    /** Drops a transfer and its part file; a failed delete is left to the next {@link #cleanUp}. */
    private void discard(Incoming incoming) {
        if (current == incoming) {
            current = null;
        }
        closeQuietly(incoming);
        deleteQuietly(incoming.part);
    }

    private void deleteQuietly(Path file) {
        try {
            files.delete(file);
        } catch (IOException failure) {
            log.warn("Could not delete {}; it is deleted at the next start", file, failure);
        }
    }

    private static void closeQuietly(Incoming incoming) {
        try {
            incoming.handle.close();
        } catch (IOException failure) {
            log.debug("Closing {} failed", incoming.part, failure);
        }
    }

    /** Same file: index, generation and length; the leader generation only says who sends it. */
    private static boolean sameSnapshot(SnapshotId a, SnapshotId b) {
        return a.snapshotIndex() == b.snapshotIndex()
                && a.snapshotGeneration() == b.snapshotGeneration()
                && a.totalLength() == b.totalLength();
    }

    private static boolean newer(SnapshotId candidate, SnapshotId than) {
        return candidate.snapshotIndex() > than.snapshotIndex()
                || (candidate.snapshotIndex() == than.snapshotIndex()
                        && candidate.leaderGeneration() > than.leaderGeneration());
    }

    private static String describe(SnapshotId snapshot) {
        return "(index " + snapshot.snapshotIndex() + ", generation " + snapshot.snapshotGeneration()
                + ", leader generation " + snapshot.leaderGeneration() + ")";
    }

    /** The transfer in progress; touched only under the receiver's lock. */
    private static final class Incoming {
        final SnapshotId snapshot;
        final Path part;
        final FileLayer.FileHandle handle;
        final CRC32C crc = new CRC32C();
        volatile long leaderGeneration;
        volatile long expected;

        Incoming(SnapshotId snapshot, Path part, FileLayer.FileHandle handle) {
            this.snapshot = snapshot;
            this.part = part;
            this.handle = handle;
            this.leaderGeneration = snapshot.leaderGeneration();
        }

        /** Its id with the highest leader generation seen sending it. */
        SnapshotId current() {
            return new SnapshotId(
                    leaderGeneration, snapshot.snapshotIndex(), snapshot.snapshotGeneration(), snapshot.totalLength());
        }
    }
}
