package dev.replication.log;

import dev.replication.core.LogEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segment files of one log and every operation on them, without threads of its own: the
 * {@link GroupCommitWriter} thread calls the mutating methods, any thread may read.
 *
 * <p>Readers hold the read lock; the writer takes the write lock only for structural changes
 * (a new segment, truncation, deletion), never for an ordinary append, which becomes visible
 * when {@link #lastIndex()} (volatile) moves past it.
 */
final class SegmentStore {

    private static final Logger log = LoggerFactory.getLogger(SegmentStore.class);
    // Appends are encoded into this much memory at most before being written.
    private static final int WRITE_BUFFER_BYTES = 1024 * 1024;

    private final FileLayer files;
    private final Path dir;
    private final LogOptions options;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private Segment active;
    private volatile long firstIndex;
    private volatile long lastIndex;
    private volatile long durableIndex;
    private volatile boolean closed;
    private ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    private int[] frameSizes = new int[256];
    private long[] generations = new long[256];

    private SegmentStore(FileLayer files, Path dir, LogOptions options, List<Segment> recovered) {
        this.files = files;
        this.dir = dir;
        this.options = options;
        for (Segment segment : recovered) {
            segments.put(segment.firstIndex(), segment);
        }
        this.active = segments.lastEntry().getValue();
        this.firstIndex = segments.firstKey();
        this.lastIndex = active.lastIndex();
        this.durableIndex = lastIndex;
    }

    /** Creates the directory if needed and recovers it (see {@link LogRecovery}). */
    static SegmentStore open(FileLayer files, Path dir, LogOptions options) throws IOException {
        if (!files.exists(dir)) {
            files.createDirectories(dir);
            if (dir.toAbsolutePath().getParent() != null) {
                files.syncDirectory(dir.toAbsolutePath().getParent());
            }
        }
        List<Segment> recovered = new LogRecovery(files, dir).recover();
        if (recovered.isEmpty()) {
            recovered = List.of(Segment.create(files, dir, 1));
        } else {
            // What a killed process left in the page cache is not durable until forced.
            recovered.get(recovered.size() - 1).force();
            files.syncDirectory(dir);
        }
        SegmentStore store = new SegmentStore(files, dir, options, recovered);
        log.info(
                "Opened write-ahead log {}: {} segment(s), entries {}..{}",
                dir,
                recovered.size(),
                store.firstIndex,
                store.lastIndex);
        return store;
    }

    long firstIndex() {
        return firstIndex;
    }

    long lastIndex() {
        return lastIndex;
    }

    long durableIndex() {
        return durableIndex;
    }

    Path dir() {
        return dir;
    }

    /**
     * Writer thread: writes the entries (already checked to follow {@link #lastIndex()}), rolling
     * segments. A {@link DiskFullException} leaves every entry up to {@link #lastIndex()} written
     * and the rest not: appending the rest later continues where it stopped.
     */
    void append(List<LogEntry> entries) throws IOException {
        if (entries.get(0).index() != lastIndex + 1) {
            // Checked at submission already; writing here would break the log's contiguity.
            throw new IllegalStateException(
                    "refusing to write index " + entries.get(0).index() + " after last index " + lastIndex);
        }
        int next = 0;
        while (next < entries.size()) {
            Segment segment = active;
            buffer.clear();
            int frames = 0;
            long projectedSize = segment.size();
            boolean roll = false;
            while (next < entries.size()) {
                LogEntry entry = entries.get(next);
                int size = RecordFormat.encodedSize(entry);
                if (segment.count() + frames > 0 && projectedSize + size > options.segmentBytes()) {
                    roll = true;
                    break;
                }
                if (frames > 0 && buffer.position() + size > WRITE_BUFFER_BYTES) {
                    break;
                }
                ensureCapacity(size, frames + 1);
                RecordFormat.encode(entry, segment.forcedSize(), buffer);
                frameSizes[frames] = size;
                generations[frames] = entry.generation();
                frames++;
                projectedSize += size;
                next++;
            }
            if (frames > 0) {
                buffer.flip();
                try {
                    segment.append(buffer, frameSizes, generations, frames);
                } catch (IOException e) {
                    // The segment publishes nothing of a failed write: a retry writes at the same offset.
                    throw DiskFullException.classify(e);
                }
                lastIndex = segment.lastIndex();
            }
            if (roll) {
                roll();
            }
        }
    }

    /** Writer thread: forces everything written; afterwards {@link #durableIndex()} equals {@link #lastIndex()}. */
    void sync() throws IOException {
        long written = lastIndex;
        active.force();
        durableIndex = written;
    }

    /** Writer thread: drops {@code fromIndex..lastIndex}, durably, before returning. */
    void truncateSuffix(long fromIndex) throws IOException {
        if (fromIndex > lastIndex) {
            return;
        }
        if (fromIndex < firstIndex) {
            // SegmentedLog refuses this at submission; reaching it would mean its bookkeeping is wrong.
            throw new IllegalStateException(
                    "cannot truncate the log from index " + fromIndex + ": entries below " + firstIndex
                            + " were already removed by the Low-Water Mark; truncate from " + firstIndex + " or later");
        }
        lock.writeLock().lock();
        try {
            lastIndex = fromIndex - 1;
            durableIndex = Math.min(durableIndex, fromIndex - 1);
            Map.Entry<Long, Segment> containing = segments.floorEntry(fromIndex);
            // Newest first, each deletion made durable, so a crash never leaves a gap between segments.
            while (segments.lastKey() > containing.getKey()) {
                Segment doomed = segments.pollLastEntry().getValue();
                doomed.close();
                files.delete(doomed.file());
                files.syncDirectory(dir);
            }
            active = containing.getValue();
            active.truncateFrom(fromIndex);
            // The force above persists the new size; the directory sync is belt and braces for
            // file systems that journal size changes with the directory.
            files.syncDirectory(dir);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Writer thread: Low-Water Mark. Deletes every segment whose records all lie below
     * {@code upToIndex}, oldest first; never the active segment. Returns how many went.
     */
    int truncatePrefix(long upToIndex) throws IOException {
        int deleted = 0;
        while (segments.size() > 1) {
            Map.Entry<Long, Segment> oldest = segments.firstEntry();
            if (oldest.getValue().lastIndex() >= upToIndex) {
                break;
            }
            lock.writeLock().lock();
            try {
                segments.pollFirstEntry();
                firstIndex = segments.firstKey();
                oldest.getValue().close();
            } finally {
                lock.writeLock().unlock();
            }
            files.delete(oldest.getValue().file());
            // Oldest first, each deletion durable: a crash leaves a contiguous suffix of segments.
            files.syncDirectory(dir);
            deleted++;
        }
        return deleted;
    }

    /**
     * Writer thread: discards every entry and leaves an empty log whose next index is
     * {@code nextIndex} (a snapshot installed at {@code nextIndex - 1} replaced them). Old segments
     * go oldest first, each deletion durable, then the new segment is created: a crash leaves a
     * contiguous suffix of the old log or an empty one, which the caller's start-up reconciliation
     * with its snapshot discards again.
     */
    void restartAt(long nextIndex) throws IOException {
        if (nextIndex < 1) {
            throw new IllegalArgumentException("a log restarts at an index >= 1, was " + nextIndex);
        }
        lock.writeLock().lock();
        try {
            while (!segments.isEmpty()) {
                Segment doomed = segments.pollFirstEntry().getValue();
                doomed.close();
                files.delete(doomed.file());
                files.syncDirectory(dir);
            }
            active = Segment.create(files, dir, nextIndex);
            segments.put(nextIndex, active);
            firstIndex = nextIndex;
            lastIndex = nextIndex - 1;
            durableIndex = lastIndex;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Number of segment files (for tests and metrics). */
    int segmentCount() {
        lock.readLock().lock();
        try {
            return segments.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    LogEntry entry(long index) {
        lock.readLock().lock();
        try {
            checkReadable(index);
            Segment segment = segments.floorEntry(index).getValue();
            return read(segment, index);
        } finally {
            lock.readLock().unlock();
        }
    }

    List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
        List<LogEntry> result = new ArrayList<>();
        if (toIndex < fromIndex) {
            return result;
        }
        lock.readLock().lock();
        try {
            checkReadable(fromIndex);
            checkReadable(toIndex);
            long bytes = 0;
            Segment segment = null;
            for (long index = fromIndex; index <= toIndex; index++) {
                if (segment == null || index > segment.lastIndex()) {
                    segment = segments.floorEntry(index).getValue();
                }
                LogEntry entry = read(segment, index);
                bytes += entry.payloadSize();
                if (!result.isEmpty() && bytes > maxBytes) {
                    break;
                }
                result.add(entry);
            }
            return result;
        } finally {
            lock.readLock().unlock();
        }
    }

    long generationAt(long index) {
        if (index == 0) {
            return 0;
        }
        lock.readLock().lock();
        try {
            checkReadable(index);
            return segments.floorEntry(index).getValue().generationAt(index);
        } finally {
            lock.readLock().unlock();
        }
    }

    void close() throws IOException {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            IOException failure = null;
            for (Segment segment : segments.values()) {
                try {
                    segment.close();
                } catch (IOException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void roll() throws IOException {
        // Force the full segment first: only the newest segment may ever end in a torn record.
        active.force();
        durableIndex = lastIndex;
        Segment next;
        try {
            next = Segment.create(files, dir, lastIndex + 1);
        } catch (IOException e) {
            // Creating it again truncates whatever part of it was written.
            throw DiskFullException.classify(e);
        }
        lock.writeLock().lock();
        try {
            segments.put(next.firstIndex(), next);
        } finally {
            lock.writeLock().unlock();
        }
        active = next;
    }

    private LogEntry read(Segment segment, long index) {
        try {
            return segment.read(index);
        } catch (IOException e) {
            throw new WriteAheadLogException(
                    "cannot read log index " + index + " from " + segment.file() + ": " + e
                            + ". Check the disk and the file's permissions.",
                    e);
        }
    }

    private void checkReadable(long index) {
        if (closed) {
            throw new IllegalStateException("the log in " + dir + " is closed; open it again to read");
        }
        if (index < firstIndex || index > lastIndex) {
            throw new IllegalArgumentException("log index " + index + " is outside the log, which holds " + firstIndex
                    + ".." + lastIndex + " (entries below the first index were compacted)");
        }
    }

    private void ensureCapacity(int recordSize, int frames) {
        if (buffer.remaining() < recordSize) {
            ByteBuffer larger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + recordSize));
            buffer.flip();
            larger.put(buffer);
            buffer = larger;
        }
        if (frames > frameSizes.length) {
            frameSizes = java.util.Arrays.copyOf(frameSizes, frameSizes.length * 2);
            generations = java.util.Arrays.copyOf(generations, generations.length * 2);
        }
    }
}
