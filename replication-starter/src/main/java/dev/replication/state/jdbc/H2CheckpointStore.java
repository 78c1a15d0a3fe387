package dev.replication.state.jdbc;

import dev.replication.state.CheckpointDelta;
import dev.replication.state.CheckpointHeader;
import dev.replication.state.CheckpointReceipt;
import dev.replication.state.CheckpointSink;
import dev.replication.state.CheckpointStore;
import dev.replication.state.CheckpointStoreException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link CheckpointStore} in an embedded H2 database under {@code <directory>}, through Spring
 * Data JDBC ({@link H2CheckpointDatabase}).
 *
 * <p>H2 writes every change to new pages of its file and reuses the old ones late: under steady
 * rewrites of the same keys a database of 100 MB of keys and values grew to 2.6 GB before its
 * size levelled off. So once the file is {@value #GROWTH_FACTOR} times what it was after its last
 * rewrite (and at least {@value #MIN_REWRITE_MB} MiB), the store writes the newest checkpoint into
 * a fresh database file and switches to it: the export is written aside and forced, imported into
 * the new file (one transaction, synced), then the file {@code CURRENT} naming the database is
 * replaced atomically, and only then are the old file and the export deleted. A crash before the
 * switch leaves the old database current (the new one is deleted at the next open); after it, the
 * new one. Disk use therefore stays below about {@value #GROWTH_FACTOR} times the compact size,
 * plus one export and one compact copy while a rewrite runs.
 *
 * <p>Thread-safe: one operation at a time.
 */
public final class H2CheckpointStore implements CheckpointStore {

    private static final Logger log = LoggerFactory.getLogger(H2CheckpointStore.class);

    /** A rewrite starts once the file has grown this many times over its size after the last one. */
    static final int GROWTH_FACTOR = 3;

    /** Files below this size are never rewritten. */
    static final int MIN_REWRITE_MB = 64;

    private final Path directory;
    private String name;
    // Written under the lock, read without it by sizeOnDisk.
    private volatile H2CheckpointDatabase database;
    // The file's size right after it was last written whole (0: not known).
    private long compactBytes;
    private final long minRewriteBytes;
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
        this.directory = Objects.requireNonNull(directory, "directory");
        this.minRewriteBytes = minRewriteBytes;
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

    /** Writes the delta durably; then, if the file has grown too much, rewrites it (see the class). */
    @Override
    public synchronized CheckpointReceipt write(CheckpointDelta delta) {
        CheckpointReceipt receipt = database.write(delta);
        long size = database.sizeOnDisk();
        if (delta.replacesAll() && compactBytes == 0) {
            compactBytes = size; // the first checkpoint of a new database: as compact as a rewrite would make it
        } else if (size > Math.max(rewriteThresholdBytes, GROWTH_FACTOR * compactBytes)) {
            rewrite(size);
        }
        return receipt;
    }

    @Override
    public synchronized CheckpointHeader exportLatest(OutputStream out) throws IOException {
        return database.exportLatest(out);
    }

    @Override
    public synchronized CheckpointHeader importSnapshot(InputStream in) throws IOException {
        return database.importSnapshot(in);
    }

    /** Never waits for the lock: the node's status asks this on its update thread, while checkpoints run. */
    @Override
    public long sizeOnDisk() {
        return database.sizeOnDisk();
    }

    @Override
    public synchronized void close() {
        database.close();
    }

    /**
     * The newest checkpoint into a fresh database file, then the switch to it. A failure leaves the
     * current database as it was (the checkpoint just written stays durable) and is only logged:
     * the next checkpoint tries again once the file has grown by half as much again.
     */
    private void rewrite(long sizeBefore) {
        long started = System.nanoTime();
        String next = CheckpointFileNames.next(name);
        Path export = directory.resolve(CheckpointFileNames.REWRITE_EXPORT);
        H2CheckpointDatabase fresh = null;
        try {
            try (FileChannel channel = FileChannel.open(
                            export,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING);
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
                database.exportLatest(out);
                out.flush();
                channel.force(true);
            }
            fresh = new H2CheckpointDatabase(directory, next);
            try (InputStream in = new BufferedInputStream(Files.newInputStream(export), 1 << 16)) {
                fresh.importSnapshot(in);
            }
            CheckpointFileNames.point(directory, next, fresh.sizeOnDisk());
        } catch (IOException | RuntimeException e) {
            if (fresh != null) {
                fresh.close();
            }
            try {
                CheckpointFileNames.deleteAllBut(directory, name);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            rewriteThresholdBytes = sizeBefore + sizeBefore / 2;
            log.warn(
                    "Could not rewrite the checkpoint database {} ({} MB) into a fresh file; it stays as it is: {}",
                    name,
                    sizeBefore >> 20,
                    e.toString(),
                    e);
            return;
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
        log.info(
                "Rewrote the checkpoint database into {}: {} MB -> {} MB in {} ms",
                next,
                sizeBefore >> 20,
                compactBytes >> 20,
                (System.nanoTime() - started) / 1_000_000);
    }
}
