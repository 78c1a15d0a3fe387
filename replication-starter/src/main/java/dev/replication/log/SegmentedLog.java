package dev.replication.log;

import dev.replication.core.LogEntry;
import dev.replication.core.LogReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The node's durable Write-Ahead Log: a Segmented Log of CRC-framed records, written by one
 * group-commit writer thread and readable concurrently by any thread.
 *
 * <pre>
 * SegmentedLog log = SegmentedLog.open(dataDir.logDirectory(), LogOptions.defaults());
 * long last = log.append(List.of(entry)).join();   // returns once the entry is durable
 * </pre>
 *
 * <p>Appends, suffix and prefix truncations are applied in the order they are submitted.
 * {@link #lastIndex()} is the last entry written (visible to readers, perhaps not yet forced);
 * {@link #durableIndex()} the last one forced. Under {@link FsyncPolicy#ALWAYS} an append's
 * future completes only once its entries are durable.
 *
 * <p>Futures complete on the writer thread: chain heavy work with the {@code *Async} variants
 * so it does not delay the next batch.
 */
public final class SegmentedLog implements LogReader, AutoCloseable {

    private final SegmentStore store;
    private final GroupCommitWriter writer;
    private final LogOptions options;
    // Guarded by the writer's submission lock: the last index any accepted request leaves behind,
    // and the highest Low-Water Mark requested (entries below it are covered by a snapshot).
    private long acceptedLastIndex;
    private long lowWaterMark;

    private SegmentedLog(SegmentStore store, LogOptions options) {
        this.store = store;
        this.options = options;
        this.writer = new GroupCommitWriter(store, options);
        this.acceptedLastIndex = store.lastIndex();
    }

    /** Opens (creating if needed) the log in {@code dir} on the real file system, recovering it. */
    public static SegmentedLog open(Path dir, LogOptions options) {
        return open(dir, options, FileLayer.system());
    }

    /**
     * Opens the log through {@code files}: recovery verifies every record, truncates a torn
     * tail and refuses mid-log corruption with {@link LogCorruptedException}.
     *
     * @throws WriteAheadLogException when the directory cannot be created, read or written
     */
    public static SegmentedLog open(Path dir, LogOptions options, FileLayer files) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(files, "files");
        SegmentStore store;
        try {
            store = SegmentStore.open(files, dir, options);
        } catch (IOException e) {
            throw new WriteAheadLogException(
                    "cannot open the write-ahead log in " + dir + ": " + e
                            + ". Check that the directory exists or can be created, is writable by this process,"
                            + " and that the disk is not full.",
                    e);
        }
        SegmentedLog log = new SegmentedLog(store, options);
        log.writer.start();
        return log;
    }

    /** The largest entry payload {@link #append} accepts: the maximum record size less the record framing. */
    public int maxPayloadBytes() {
        return options.maxRecordBytes() - RecordFormat.OVERHEAD;
    }

    /**
     * Appends contiguous {@code entries} whose first index is {@code lastIndex() + 1} (counting
     * appends and truncations already submitted). The future completes with the last appended
     * index once the entries are durable under the {@link FsyncPolicy}, or fails with a
     * {@link WriteAheadLogException} (nothing it promised may then be assumed written).
     *
     * @throws IllegalArgumentException when the entries are empty, not contiguous, do not
     *     follow the log's last index, or one exceeds {@link LogOptions#maxRecordBytes()}
     */
    public CompletableFuture<Long> append(List<LogEntry> entries) {
        Objects.requireNonNull(entries, "entries");
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("append needs at least one entry");
        }
        List<LogEntry> copy = List.copyOf(entries);
        long first = copy.get(0).index();
        for (int k = 0; k < copy.size(); k++) {
            LogEntry entry = copy.get(k);
            if (entry.index() != first + k) {
                throw new IllegalArgumentException("entries to append must have contiguous indexes, but index "
                        + entry.index() + " follows " + (first + k - 1));
            }
            int size = RecordFormat.encodedSize(entry);
            if (size > options.maxRecordBytes()) {
                throw new IllegalArgumentException("log entry " + entry.index() + " encodes to " + size
                        + " bytes, over the maximum record size of " + options.maxRecordBytes()
                        + " bytes; split the command into smaller ones or raise the maximum record size");
            }
        }
        CompletableFuture<Long> done = new CompletableFuture<>();
        writer.submit(new GroupCommitWriter.Append(copy, done), () -> {
            if (first != acceptedLastIndex + 1) {
                throw new IllegalArgumentException("cannot append at index " + first + ": the log's last index is "
                        + acceptedLastIndex + ", so the next entry must have index " + (acceptedLastIndex + 1));
            }
            acceptedLastIndex = copy.get(copy.size() - 1).index();
        });
        return done;
    }

    /**
     * Drops entries {@code fromIndex..lastIndex} (a follower removing a conflicting suffix).
     * Completes once the cut is durable; a no-op when {@code fromIndex > lastIndex}.
     *
     * @throws IllegalArgumentException when {@code fromIndex} lies below the first index or a
     *     requested Low-Water Mark (those entries are committed and covered by a snapshot)
     */
    public CompletableFuture<Void> truncateSuffix(long fromIndex) {
        if (fromIndex < 1) {
            throw new IllegalArgumentException("truncateSuffix needs an index >= 1, was " + fromIndex);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        writer.submit(new GroupCommitWriter.TruncateSuffix(fromIndex, done), () -> {
            long floor = Math.max(store.firstIndex(), lowWaterMark);
            if (fromIndex < floor && fromIndex <= acceptedLastIndex) {
                throw new IllegalArgumentException("cannot truncate the log from index " + fromIndex
                        + ": entries below "
                        + floor + " are covered by the Low-Water Mark (a snapshot) and may already be deleted;"
                        + " a conflicting suffix always starts above it, so truncate from " + floor + " or later");
            }
            acceptedLastIndex = Math.min(acceptedLastIndex, fromIndex - 1);
        });
        return done;
    }

    /**
     * Low-Water Mark: deletes every segment whose entries all lie below {@code upToIndex}
     * (call only once a snapshot covering them is durable). Whole segments only, and never the
     * newest, so {@link #firstIndex()} may stay below {@code upToIndex}.
     */
    public CompletableFuture<Void> truncatePrefix(long upToIndex) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        writer.submit(new GroupCommitWriter.TruncatePrefix(upToIndex, done), () -> {
            lowWaterMark = Math.max(lowWaterMark, upToIndex);
        });
        return done;
    }

    /**
     * Discards every entry and restarts the log empty, with {@code snapshotIndex + 1} as its next
     * index: for a node whose state was replaced by a snapshot at {@code snapshotIndex} that its
     * log does not continue (a snapshot install, or start-up finding a log older than its
     * checkpoint). Call only once that snapshot is durable. Completes once the new log is durable.
     */
    public CompletableFuture<Void> restartAfter(long snapshotIndex) {
        if (snapshotIndex < 0) {
            throw new IllegalArgumentException("restartAfter needs a snapshot index >= 0, was " + snapshotIndex);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        writer.submit(new GroupCommitWriter.RestartAt(snapshotIndex + 1, done), () -> {
            acceptedLastIndex = snapshotIndex;
            lowWaterMark = Math.max(lowWaterMark, snapshotIndex + 1);
        });
        return done;
    }

    @Override
    public long firstIndex() {
        return store.firstIndex();
    }

    /** Last entry written and visible to readers; it may not be durable yet (see {@link #durableIndex()}). */
    @Override
    public long lastIndex() {
        return store.lastIndex();
    }

    /** Last entry forced to disk. */
    public long durableIndex() {
        return store.durableIndex();
    }

    @Override
    public LogEntry entry(long index) {
        return store.entry(index);
    }

    @Override
    public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
        return store.entries(fromIndex, toIndex, maxBytes);
    }

    @Override
    public long generationAt(long index) {
        return store.generationAt(index);
    }

    /** What the storage is doing now: a full disk, a persist in progress and for how long (any thread). */
    public LogHealth health() {
        return writer.health();
    }

    /** True while appends wait for space on the disk (see {@link LogHealth#diskFull()}). */
    public boolean diskFull() {
        return health().diskFull() != null;
    }

    /** The directory the segments live in. */
    public Path directory() {
        return store.dir();
    }

    /** Number of segment files. */
    public int segmentCount() {
        return store.segmentCount();
    }

    /** Number of fsyncs issued to make appends durable (group commit shows as fewer fsyncs than appends). */
    public long appendFsyncCount() {
        return writer.forceCount();
    }

    /**
     * Stops the writer: requests still queued fail with a {@link WriteAheadLogException}
     * saying the log was closed, the batch being written completes, then the files close.
     */
    @Override
    public void close() {
        writer.stop(this::closeFiles);
    }

    private void closeFiles() {
        try {
            store.close();
        } catch (IOException e) {
            throw new WriteAheadLogException(
                    "closing the write-ahead log in " + store.dir() + " failed: " + e
                            + ". Acknowledged entries are durable; reopening the log recovers the rest.",
                    e);
        }
    }
}
