package dev.replication.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the segments of a log directory on open, verifying every record's CRC.
 *
 * <p>The rule that tells a torn tail from corruption: the writer forces a segment before it
 * creates the next one, so only the last segment can end in a record that never became
 * durable. An invalid record there with no valid record anywhere after it is a torn or garbage
 * tail: it was never acknowledged, so it is cut off (and logged). An invalid record followed
 * by a valid one, or in any earlier segment, is damage to data that may have been committed:
 * the open fails with {@link LogCorruptedException} naming the file and offset.
 */
final class LogRecovery {

    private static final Logger log = LoggerFactory.getLogger(LogRecovery.class);

    private final FileLayer files;
    private final Path dir;

    LogRecovery(FileLayer files, Path dir) {
        this.files = files;
        this.dir = dir;
    }

    /** The recovered segments in index order; empty when the directory holds none. */
    List<Segment> recover() throws IOException {
        List<Path> segmentFiles = new ArrayList<>();
        for (Path file : files.list(dir)) {
            if (Segment.firstIndexOf(file) > 0) {
                segmentFiles.add(file);
            }
        }
        segmentFiles.sort(Comparator.comparingLong(Segment::firstIndexOf));
        List<Segment> segments = new ArrayList<>();
        try {
            for (int k = 0; k < segmentFiles.size(); k++) {
                boolean last = k == segmentFiles.size() - 1;
                long expectedFirst = segments.isEmpty() ? -1 : segments.get(segments.size() - 1).lastIndex() + 1;
                Segment segment = recoverSegment(segmentFiles.get(k), last, expectedFirst);
                if (segment != null) {
                    segments.add(segment);
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Segment segment : segments) {
                try {
                    segment.close();
                } catch (IOException closeFailure) {
                    e.addSuppressed(closeFailure);
                }
            }
            throw e;
        }
        return segments;
    }

    private @Nullable Segment recoverSegment(Path file, boolean last, long expectedFirst) throws IOException {
        long nameIndex = Segment.firstIndexOf(file);
        FileLayer.FileHandle handle = files.open(file, false);
        boolean keep = false;
        try {
            ByteBuffer content = readAll(handle, file);
            SegmentHeader.Parsed header = SegmentHeader.parse(content);
            if (header.unsupportedVersion()) {
                throw new WriteAheadLogException("cannot open log segment " + file + ": " + header.problem()
                        + ". Run a release that reads this format, or restore the data directory it was written for.");
            }
            String problem = header.problem(); // null exactly when the header is valid
            if (problem != null) {
                if (last && content.limit() <= SegmentHeader.SIZE) {
                    // Crash while creating the newest segment: it never held a record.
                    log.warn("Deleting log segment {} with an incomplete header ({}); it was being created"
                            + " when the process stopped and holds no records", file, problem);
                    handle.close();
                    files.delete(file);
                    files.syncDirectory(dir);
                    return null;
                }
                throw new LogCorruptedException(file, 0, problem);
            }
            if (header.firstIndex() != nameIndex) {
                throw new LogCorruptedException(file, 8, "the header says the first index is "
                        + header.firstIndex() + " but the file name says " + nameIndex);
            }
            if (expectedFirst >= 0 && nameIndex != expectedFirst) {
                throw new LogCorruptedException(file, 0, "the previous segment ends at index " + (expectedFirst - 1)
                        + " but this one starts at " + nameIndex + " (a segment is missing or damaged)");
            }
            Segment segment = scanRecords(file, handle, content, nameIndex, last);
            keep = true;
            return segment;
        } finally {
            if (!keep) {
                handle.close();
            }
        }
    }

    private Segment scanRecords(Path file, FileLayer.FileHandle handle, ByteBuffer content, long firstIndex, boolean last)
            throws IOException {
        List<long[]> valid = new ArrayList<>();
        int pos = SegmentHeader.SIZE;
        long expectedIndex = firstIndex;
        while (pos < content.limit()) {
            int frameSize = RecordFormat.validFrameSize(content, pos);
            if (frameSize < 0 || RecordFormat.indexAt(content, pos) != expectedIndex) {
                break;
            }
            valid.add(new long[] {pos, content.getLong(pos + RecordFormat.FRAME_HEADER)});
            pos += frameSize;
            expectedIndex++;
        }
        if (pos < content.limit()) {
            if (!last) {
                throw new LogCorruptedException(file, pos, "record " + expectedIndex + " is damaged in a segment"
                        + " that is followed by newer segments");
            }
            long laterValid = findValidRecordAfter(content, pos + 1, expectedIndex);
            if (laterValid >= 0) {
                throw new LogCorruptedException(file, pos, "record " + expectedIndex + " is damaged but a valid"
                        + " record follows it at offset " + laterValid);
            }
            log.warn("Truncating the torn tail of log segment {} at byte offset {} ({} bytes after record {});"
                    + " it was being written when the process stopped and was never acknowledged",
                    file, pos, content.limit() - pos, expectedIndex - 1);
            handle.truncate(pos);
            handle.force();
            files.syncDirectory(dir);
        }
        Segment segment = Segment.recovered(file, firstIndex, handle, pos);
        for (long[] record : valid) {
            segment.index((int) record[0], record[1]);
        }
        return segment;
    }

    /** Offset of a valid record with an index at or past {@code fromIndex} at or after {@code start}, or -1. */
    private static long findValidRecordAfter(ByteBuffer content, int start, long fromIndex) {
        long maxIndex = fromIndex + content.limit() / RecordFormat.OVERHEAD;
        for (int p = start; p + RecordFormat.OVERHEAD <= content.limit(); p++) {
            int bodyLength = RecordFormat.bodyLengthAt(content, p);
            if (bodyLength < RecordFormat.BODY_HEADER || bodyLength > content.limit() - p - RecordFormat.FRAME_HEADER) {
                continue;
            }
            long index = RecordFormat.indexAt(content, p);
            if (index < fromIndex || index > maxIndex) {
                continue;
            }
            if (RecordFormat.validFrameSize(content, p) > 0) {
                return p;
            }
        }
        return -1;
    }

    private static ByteBuffer readAll(FileLayer.FileHandle handle, Path file) throws IOException {
        long size = handle.size();
        if (size > Integer.MAX_VALUE - 8) {
            throw new LogCorruptedException(file, 0, "the segment is " + size + " bytes, larger than any segment this log writes");
        }
        ByteBuffer content = ByteBuffer.allocate((int) size);
        long at = 0;
        while (content.hasRemaining()) {
            int read = handle.read(content, at);
            if (read < 0) {
                break;
            }
            at += read;
        }
        return content.flip();
    }
}
