package dev.replication.log;

import dev.replication.core.LogEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One file of the Segmented Log, named by the index of its first record, with an in-memory
 * index (record offsets, and the generation runs) so reading entry i is one positional read,
 * never a scan.
 *
 * <p>Threading: only the log's writer thread mutates a segment. Readers see a record once the
 * writer has published its count (a volatile write after the offset is stored); structural
 * changes (truncation, deletion, close) happen under the log's write lock, which readers hold
 * in read mode.
 */
final class Segment {

    private static final Pattern NAME = Pattern.compile("(\\d{20})\\.log");

    private final Path file;
    private final long firstIndex;
    private final FileLayer.FileHandle handle;
    private volatile int[] offsets;
    // Generation runs: runStarts[k] is the position (from 0) where generation runGenerations[k] begins.
    private volatile int[] runStarts;
    private volatile long[] runGenerations;
    private volatile int runCount;
    private volatile int count;
    private volatile long size;
    // Bytes known durable (as of the last force that returned); new records carry it.
    private long forcedSize;

    private Segment(Path file, long firstIndex, FileLayer.FileHandle handle, long size) {
        this.file = file;
        this.firstIndex = firstIndex;
        this.handle = handle;
        this.forcedSize = size;
        this.offsets = new int[64];
        this.runStarts = new int[4];
        this.runGenerations = new long[4];
        this.size = size;
    }

    static String fileName(long firstIndex) {
        return String.format("%020d.log", firstIndex);
    }

    /** The first index encoded in a segment file name, or -1 when the name is not a segment's. */
    static long firstIndexOf(Path file) {
        Matcher matcher = NAME.matcher(file.getFileName().toString());
        return matcher.matches() ? Long.parseLong(matcher.group(1)) : -1;
    }

    /**
     * Creates an empty segment: the file with its header, forced, and the directory synced, so
     * the segment exists after a crash before anything relies on it.
     */
    static Segment create(FileLayer files, Path dir, long firstIndex) throws IOException {
        Path file = dir.resolve(fileName(firstIndex));
        FileLayer.FileHandle handle = files.open(file, true);
        try {
            handle.truncate(0);
            handle.write(SegmentHeader.encode(firstIndex), 0);
            handle.force();
            files.syncDirectory(dir);
        } catch (IOException | RuntimeException e) {
            closeQuietly(handle, e);
            throw e;
        }
        return new Segment(file, firstIndex, handle, SegmentHeader.SIZE);
    }

    /**
     * A segment recovered from disk: {@code size} valid bytes whose records are then
     * {@link #index}ed, forced (or about to be, before anything is appended) by the caller.
     */
    static Segment recovered(Path file, long firstIndex, FileLayer.FileHandle handle, long size) {
        return new Segment(file, firstIndex, handle, size);
    }

    Path file() {
        return file;
    }

    long firstIndex() {
        return firstIndex;
    }

    /** Index of the last record, {@code firstIndex - 1} when empty. */
    long lastIndex() {
        return firstIndex + count - 1;
    }

    int count() {
        return count;
    }

    long size() {
        return size;
    }

    /** Bytes of this file known to be durable: what the next record written to it vouches for. */
    long forcedSize() {
        return forcedSize;
    }

    FileLayer.FileHandle handle() {
        return handle;
    }

    /** Registers a record already on disk at {@code offset} (recovery). */
    void index(int offset, long generation) {
        int position = count;
        recordOffset(position, offset);
        recordGeneration(position, generation);
        count = position + 1;
    }

    /**
     * Writes {@code frames} (encoded records for the next indexes) at the end of the file and
     * publishes them to readers. {@code frameSizes[k]} is the size of the k-th frame and
     * {@code generations[k]} its generation.
     */
    void append(ByteBuffer frames, int[] frameSizes, long[] generations, int frameCount) throws IOException {
        long start = size;
        handle.write(frames, start);
        long offset = start;
        for (int k = 0; k < frameCount; k++) {
            recordOffset(count + k, Math.toIntExact(offset));
            recordGeneration(count + k, generations[k]);
            offset += frameSizes[k];
        }
        size = offset;
        count = count + frameCount;
    }

    /** Reads and verifies the record at {@code index} ({@code firstIndex <= index <= lastIndex}). */
    LogEntry read(long index) throws IOException {
        int position = (int) (index - firstIndex);
        int offset = offsets[position];
        int frameSize;
        if (position + 1 < count) {
            frameSize = offsets[position + 1] - offset;
        } else {
            // The last record: its length comes from its own header (size may already be further on).
            ByteBuffer header = ByteBuffer.allocate(RecordFormat.FRAME_HEADER);
            readFully(header, offset);
            int bodyLength = header.getInt(0);
            if (bodyLength < RecordFormat.BODY_HEADER
                    || offset + RecordFormat.FRAME_HEADER + (long) bodyLength > size) {
                throw new LogCorruptedException(
                        file, offset, "record " + index + " has a damaged length when read back");
            }
            frameSize = RecordFormat.FRAME_HEADER + bodyLength;
        }
        ByteBuffer frame = ByteBuffer.allocate(frameSize);
        readFully(frame, offset);
        frame.flip();
        if (RecordFormat.validFrameSize(frame, 0) < 0 || RecordFormat.indexAt(frame, 0) != index) {
            throw new LogCorruptedException(file, offset, "record " + index + " fails its checksum when read back");
        }
        return RecordFormat.decode(frame, 0);
    }

    /** Generation of the record at {@code index}, from memory. */
    long generationAt(long index) {
        int position = (int) (index - firstIndex);
        int runs = runCount;
        int[] starts = runStarts;
        long[] generations = runGenerations;
        int found = Arrays.binarySearch(starts, 0, runs, position);
        int run = found >= 0 ? found : -found - 2;
        return generations[run];
    }

    /** Byte offset of the record at {@code index}; {@link #size()} for {@code lastIndex + 1}. */
    long offsetOf(long index) {
        int position = (int) (index - firstIndex);
        return position == count ? size : offsets[position];
    }

    /** Drops records from {@code index} on, in memory and on disk, and forces the cut. */
    void truncateFrom(long index) throws IOException {
        int keep = (int) (index - firstIndex);
        long cut = offsetOf(index);
        count = keep;
        while (runCount > 0 && runStarts[runCount - 1] >= keep) {
            runCount--;
        }
        size = cut;
        handle.truncate(cut);
        handle.force();
        forcedSize = cut;
    }

    void force() throws IOException {
        long written = size;
        handle.force();
        forcedSize = written;
    }

    void close() throws IOException {
        handle.close();
    }

    private void readFully(ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int read = handle.read(dst, at);
            if (read < 0) {
                throw new LogCorruptedException(
                        file, at, "the file ends inside a record that the index says is complete");
            }
            at += read;
        }
    }

    private void recordOffset(int position, int offset) {
        int[] current = offsets;
        if (position == current.length) {
            current = Arrays.copyOf(current, current.length * 2);
        }
        current[position] = offset;
        offsets = current;
    }

    private void recordGeneration(int position, long generation) {
        if (runCount > 0 && runGenerations[runCount - 1] == generation) {
            return;
        }
        int[] starts = runStarts;
        long[] generations = runGenerations;
        if (runCount == starts.length) {
            starts = Arrays.copyOf(starts, starts.length * 2);
            generations = Arrays.copyOf(generations, generations.length * 2);
        }
        starts[runCount] = position;
        generations[runCount] = generation;
        runStarts = starts;
        runGenerations = generations;
        runCount = runCount + 1;
    }

    private static void closeQuietly(FileLayer.FileHandle handle, Exception primary) {
        try {
            handle.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }
}
