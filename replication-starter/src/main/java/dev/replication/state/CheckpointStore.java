package dev.replication.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * Durable checkpoints of the {@link KeyValueStateMachine} state: the latest one only, advanced by
 * incremental {@link CheckpointDelta}s, so a restart loads it instead of replaying the whole log
 * and the log below it can be truncated (Low-Water Mark).
 *
 * <p>Durability is the store's promise: when {@link #write} returns, the checkpoint survives a
 * crash of the process or the machine, and it is the one {@link #loadLatest} reads. A write that
 * fails or is interrupted leaves the previous checkpoint in place, whole.
 *
 * <p>Implementations are thread-safe; the runtime writes from a checkpoint thread, never the
 * update thread.
 */
public interface CheckpointStore extends AutoCloseable {

    /**
     * Streams the latest checkpoint into {@code sink} (header first).
     *
     * @return its header, or empty when the store holds no checkpoint (then {@code sink} got nothing)
     */
    Optional<CheckpointHeader> loadLatest(CheckpointSink sink);

    /**
     * Makes {@code delta} part of the checkpoint, in one transaction, durably (synced to disk and
     * read back before this returns).
     *
     * @throws CheckpointNotWrittenException when nothing of the delta was stored (the previous
     *     checkpoint stays, whole: the same changes can be carried into the next write)
     * @throws CheckpointStoreException when the delta's applied index is not above the stored one
     *     or its base is not the stored checkpoint (the store is unchanged), or when the checkpoint
     *     was committed but cannot be shown durable (the store may hold it or the previous one)
     */
    CheckpointReceipt write(CheckpointDelta delta);

    /**
     * Writes the latest checkpoint, as one consistent view, to {@code out} in a self-describing,
     * checksummed format that {@link #importSnapshot} reads: for a snapshot sent to a follower, or a
     * backup.
     *
     * @return the header of what was exported
     * @throws CheckpointStoreException when the store holds no checkpoint
     */
    CheckpointHeader exportLatest(OutputStream out) throws IOException;

    /**
     * Replaces everything the store holds with an {@link #exportLatest export}, in one
     * transaction, durably; whatever its applied index (the caller decides whether a snapshot is
     * acceptable, for example above its commit index).
     *
     * @return the header of what was imported
     * @throws IOException when the stream is not a whole, intact export (wrong format, truncated,
     *     checksum mismatch); the store is then unchanged
     */
    CheckpointHeader importSnapshot(InputStream in) throws IOException;

    /** What the store's files take on disk, in bytes; -1 when the store cannot tell. */
    default long sizeOnDisk() {
        return -1;
    }

    /** Releases the store's files (and the lock on them); further calls fail. */
    @Override
    void close();
}
