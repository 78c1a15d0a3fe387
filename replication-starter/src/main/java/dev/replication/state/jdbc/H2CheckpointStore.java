package dev.replication.state.jdbc;

import dev.replication.state.CheckpointDelta;
import dev.replication.state.CheckpointHeader;
import dev.replication.state.CheckpointNotWrittenException;
import dev.replication.state.CheckpointOverlay;
import dev.replication.state.CheckpointReceipt;
import dev.replication.state.CheckpointSink;
import dev.replication.state.CheckpointStore;
import dev.replication.state.CheckpointStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link CheckpointStore} in an embedded H2 database under {@code <directory>}, through Spring
 * Data JDBC ({@link H2CheckpointDatabase}).
 *
 * <p>H2 writes every change to new pages of its file and reuses the old ones only after its
 * retention time (45 s): rewriting 100,000 random keys of 1,000,000 in place dirties nearly every
 * page and grew the file by about 280 MB, twice the live data, per checkpoint. So a checkpoint
 * is written one of two ways:
 *
 * <ul>
 *   <li><b>As a fresh file</b> when it replaces the whole state or changes at least one row in
 *       {@value #LARGE_DELTA_SHARE}: the previous checkpoint, read from the current file, with the
 *       delta laid over it ({@link dev.replication.state.CheckpointOverlay}), is written into the
 *       next database file, which is synced, compacted, reopened and read back; then the file
 *       {@code CURRENT} naming the database is replaced atomically, and only then is the old file
 *       deleted. A crash before the switch leaves the previous checkpoint current (the new file is
 *       deleted at the next open); after it, the new one.
 *   <li><b>In place</b> otherwise (one transaction, synced). Once the file is {@value
 *       #GROWTH_FACTOR} times its size after the last fresh write (and at least {@value
 *       #MIN_REWRITE_MB} MiB), the newest checkpoint is copied into a fresh file the same way.
 * </ul>
 *
 * A snapshot installed from the leader is imported into a fresh file too. Disk use therefore stays
 * at the compact size plus the growth in place, plus the fresh file while it is written (before
 * its compaction it reached about 2.5 times the compact size in the long-history benchmark).
 *
 * <p>Thread-safe: one operation at a time.
 */
public final class H2CheckpointStore implements CheckpointStore {

    private static final Logger log = LoggerFactory.getLogger(H2CheckpointStore.class);

    /** A rewrite starts once the file has grown this many times over its size after the last one. */
    static final int GROWTH_FACTOR = 2;

    /**
     * A delta that changes at least one row in this many of the store's is written as a fresh
     * file instead of in place: spread over the keys, it would dirty nearly every page anyway
     * (about 30 rows share one), and a fresh file is compact and costs no more time.
     */
    static final int LARGE_DELTA_SHARE = 16;

    /** Files below this size are never rewritten. */
    static final int MIN_REWRITE_MB = 64;

    private final Path directory;
    private String name;
    // Written under the lock, read without it by sizeOnDisk.
    private volatile H2CheckpointDatabase database;
    // The fresh database being filled, if any; read without the lock by sizeOnDisk.
    private volatile @Nullable Path filling;
    // The file's size right after it was last written whole (0: not known).
    private long compactBytes;
    private final long minRewriteBytes;
    private final int largeDeltaShare;
    private long rewriteThresholdBytes;

    /**
     * Opens (or creates) the checkpoint store in {@code directory}: the database {@code CURRENT}
     * names (a directory written before rewrites existed has {@code checkpoint.mv.db}), after
     * deleting what an interrupted rewrite left.
     *
     * @throws CheckpointStoreException when the database cannot be opened (for example another
     *     process holds it) or has an unknown schema version
     */
    public H2CheckpointStore(Path directory) {
        this(directory, (long) MIN_REWRITE_MB << 20);
    }

    /** A store that rewrites files from {@code minRewriteBytes} on (tests use small ones). */
    H2CheckpointStore(Path directory, long minRewriteBytes) {
        this(directory, minRewriteBytes, LARGE_DELTA_SHARE);
    }

    /**
     * A store that writes a delta changing one row in {@code largeDeltaShare} as a fresh file
     * (0: only a whole state), for tests that take one way or the other.
     */
    H2CheckpointStore(Path directory, long minRewriteBytes, int largeDeltaShare) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.minRewriteBytes = minRewriteBytes;
        this.largeDeltaShare = largeDeltaShare;
        this.rewriteThresholdBytes = minRewriteBytes;
        try {
            Files.createDirectories(directory);
            CheckpointFileNames.Current current = CheckpointFileNames.current(directory);
            this.name = current.name();
            this.compactBytes = current.compactBytes();
            CheckpointFileNames.deleteAllBut(directory, name);
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot open the checkpoint store in " + directory + ": " + e, e);
        }
        this.database = new H2CheckpointDatabase(directory, name);
    }

    /** The JDBC URL of the current database in {@code directory} (for tests that look inside). */
    static String jdbcUrl(Path directory) throws IOException {
        return H2CheckpointDatabase.jdbcUrl(
                directory, CheckpointFileNames.current(directory).name());
    }

    @Override
    public synchronized Optional<CheckpointHeader> loadLatest(CheckpointSink sink) {
        return database.loadLatest(sink);
    }

    /**
     * Writes the delta durably: a large one (or a whole state) as a fresh file, a small one in
     * place; then, if the file has grown too much, rewrites it (see the class).
     */
    @Override
    public synchronized CheckpointReceipt write(CheckpointDelta delta) {
        if (delta.replacesAll()
                || (largeDeltaShare > 0 && delta.changeCount() * largeDeltaShare >= database.rowCount())) {
            H2CheckpointDatabase.refuseOutOfOrder(delta, database.latestHeader().orElse(null));
            H2CheckpointDatabase.Filled filled;
            try {
                filled = fill(sink -> {
                    CheckpointOverlay overlay = new CheckpointOverlay(delta, sink);
                    if (!delta.replacesAll()) {
                        database.loadLatest(overlay);
                    }
                    overlay.finish();
                });
            } catch (IOException e) {
                throw new CheckpointNotWrittenException(
                        "the checkpoint at " + delta.header().appliedIndex() + " was not written into a fresh"
                                + " database (the previous one stays): " + e,
                        e);
            }
            return new CheckpointReceipt(
                    delta.header().appliedIndex(), delta.header().appliedGeneration(), filled.rowsWritten(), 0);
        }
        CheckpointReceipt receipt = database.write(delta);
        long size = database.sizeOnDisk();
        if (size > Math.max(rewriteThresholdBytes, GROWTH_FACTOR * compactBytes)) {
            rewrite(size);
        }
        return receipt;
    }

    @Override
    public synchronized CheckpointHeader exportLatest(OutputStream out) throws IOException {
        return database.exportLatest(out);
    }

    /**
     * Imports into a fresh database and switches to it: until the switch the store keeps what it
     * had, so a failed or interrupted import (a bad checksum, a crash) leaves the old checkpoint.
     */
    @Override
    public synchronized CheckpointHeader importSnapshot(InputStream in) throws IOException {
        return fill(sink -> CheckpointExport.read(in, sink)).header();
    }

    /** Never waits for the lock: the node's status asks this on its update thread, while checkpoints run. */
    @Override
    public long sizeOnDisk() {
        long size = database.sizeOnDisk();
        Path inProgress = filling;
        if (inProgress != null) {
            try {
                size += Files.size(inProgress);
            } catch (IOException e) {
                // Gone already: the switch or the cleanup deleted it.
            }
        }
        return size;
    }

    @Override
    public synchronized void close() {
        database.close();
    }

    /**
     * The newest checkpoint copied into a fresh file, then the switch to it. A failure leaves the
     * current database as it was (the checkpoint just written stays durable) and is only logged:
     * the next checkpoint tries again once the file has grown by half as much again.
     */
    private void rewrite(long sizeBefore) {
        long started = System.nanoTime();
        try {
            fill(database::loadLatest);
        } catch (IOException | RuntimeException e) {
            rewriteThresholdBytes = sizeBefore + sizeBefore / 2;
            log.warn(
                    "Could not rewrite the checkpoint database {} ({} MB) into a fresh file; it stays as it is: {}",
                    name,
                    sizeBefore >> 20,
                    e.toString(),
                    e);
            return;
        }
        log.info(
                "Rewrote the checkpoint database into {}: {} MB -> {} MB in {} ms",
                name,
                sizeBefore >> 20,
                compactBytes >> 20,
                (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * Fills the next database file from {@code source} and switches to it: CURRENT is replaced
     * atomically, only then the old file deleted. A failure before the switch deletes the new file
     * and leaves the store as it was ({@link CheckpointNotWrittenException}, or the source's
     * IOException); a failure of the switch itself leaves it unknown which file a restart opens
     * (both hold a whole checkpoint), reported as a plain {@link CheckpointStoreException}: the
     * store keeps using the old file, and the new one stays until the next open cleans up.
     */
    private H2CheckpointDatabase.Filled fill(H2CheckpointDatabase.RecordSource source) throws IOException {
        String next = CheckpointFileNames.next(name);
        while (Files.exists(directory.resolve(next + ".mv.db"))) {
            // Left by a switch that failed (kept: a restart may open it); the next name is free.
            next = CheckpointFileNames.next(next);
        }
        H2CheckpointDatabase.Filled filled;
        filling = directory.resolve(next + ".mv.db");
        try {
            filled = H2CheckpointDatabase.createFilled(directory, next, source);
        } catch (IOException | RuntimeException e) {
            try {
                CheckpointFileNames.deleteAllBut(directory, name);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof IOException io) {
                throw io;
            }
            throw new CheckpointNotWrittenException(
                    "the fresh checkpoint database " + next + " was not written (the previous one stays): " + e, e);
        } finally {
            filling = null;
        }
        H2CheckpointDatabase fresh = filled.database();
        try {
            CheckpointFileNames.point(directory, next, fresh.sizeOnDisk());
        } catch (IOException e) {
            fresh.close();
            throw new CheckpointStoreException(
                    "the checkpoint at " + filled.header().appliedIndex() + " was written into " + next
                            + " but switching " + directory.resolve(CheckpointFileNames.POINTER) + " to it failed ("
                            + e + "): a restart opens either it or the previous one; do not truncate the log below"
                            + " it",
                    e);
        }
        H2CheckpointDatabase old = database;
        String oldName = name;
        database = fresh;
        name = next;
        compactBytes = fresh.sizeOnDisk();
        rewriteThresholdBytes = minRewriteBytes;
        old.close();
        try {
            CheckpointFileNames.deleteAllBut(directory, next);
        } catch (IOException e) {
            log.warn("Could not delete the old checkpoint database {} in {}: {}", oldName, directory, e.toString());
        }
        return filled;
    }
}
