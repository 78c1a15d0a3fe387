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
 * <p>The rule that tells a torn tail from corruption. The writer forces a segment before it
 * creates the next one, so only the last segment can hold bytes that were never forced; any
 * damage in an earlier one is corruption. In the last segment, what was written since the
 * last force may have reached the disk in any order, page by page: a later record may survive
 * while an earlier one is lost. So validity after a bad record proves nothing by itself;
 * what does is the {@code forced} field every record carries (how much of its segment was
 * durable when it was written). Recovery keeps the valid records up to the first bad one
 * and looks at every valid-looking record after it: if one vouches that the bad record's
 * bytes had been forced, the damage is inside the durable prefix (records there may be
 * acknowledged) and the open fails with {@link LogCorruptedException} naming the file and
 * offset. Otherwise the bad record lies past every proven force: it and everything after it,
 * valid-looking or not, was never acknowledged and is cut off (and logged).
 *
 * <p>What this cannot see: damage to the records of the last batch that was forced, as no
 * later record vouches for them. They are cut like a torn tail, exactly what an unforced
 * batch torn by a power loss needs, at the price of not detecting bit rot there.
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
                long expectedFirst = segments.isEmpty()
                        ? -1
                        : segments.get(segments.size() - 1).lastIndex() + 1;
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
                    log.warn(
                            "Deleting log segment {} with an incomplete header ({}); it was being created"
                                    + " when the process stopped and holds no records",
                            file,
                            problem);
                    handle.close();
                    files.delete(file);
                    files.syncDirectory(dir);
                    return null;
                }
                throw new LogCorruptedException(file, 0, problem);
            }
            if (header.firstIndex() != nameIndex) {
                throw new LogCorruptedException(
                        file,
                        8,
                        "the header says the first index is " + header.firstIndex() + " but the file name says "
                                + nameIndex);
            }
            if (expectedFirst >= 0 && nameIndex != expectedFirst) {
                throw new LogCorruptedException(
                        file,
                        0,
                        "the previous segment ends at index " + (expectedFirst - 1) + " but this one starts at "
                                + nameIndex + " (a segment is missing or damaged)");
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

    private Segment scanRecords(
            Path file, FileLayer.FileHandle handle, ByteBuffer content, long firstIndex, boolean last)
            throws IOException {
        List<long[]> valid = new ArrayList<>();
        int pos = SegmentHeader.SIZE;
        long expectedIndex = firstIndex;
        while (pos < content.limit()) {
            int frameSize = validFrameSize(content, pos, expectedIndex);
            if (frameSize < 0) {
                break;
            }
            valid.add(new long[] {pos, content.getLong(pos + RecordFormat.FRAME_HEADER)});
            pos += frameSize;
            expectedIndex++;
        }
        if (pos < content.limit()) {
            if (!last) {
                throw new LogCorruptedException(
                        file,
                        pos,
                        "record " + expectedIndex + " is damaged in a segment" + " that is followed by newer segments");
            }
            cutUnforcedTail(file, handle, content, pos, expectedIndex);
        }
        Segment segment = Segment.recovered(file, firstIndex, handle, pos);
        for (long[] record : valid) {
            segment.index((int) record[0], record[1]);
        }
        return segment;
    }

    /** Cuts the last segment at the bad record at {@code pos}, unless a later record proves it was forced. */
    private void cutUnforcedTail(Path file, FileLayer.FileHandle handle, ByteBuffer content, int pos, long badIndex)
            throws IOException {
        int discarded = 0;
        long maxIndex = badIndex + content.limit() / RecordFormat.OVERHEAD;
        int p = pos + 1;
        while (p + RecordFormat.OVERHEAD <= content.limit()) {
            int frameSize = plausibleFrameSize(content, p, badIndex, maxIndex);
            if (frameSize < 0) {
                p++;
                continue;
            }
            long forced = RecordFormat.forcedBytesAt(content, p);
            if (forced > pos) {
                throw new LogCorruptedException(
                        file,
                        pos,
                        "record " + badIndex + " is damaged, but record "
                                + RecordFormat.indexAt(content, p) + " at offset " + p + " was written after the first "
                                + forced
                                + " bytes of this segment had been forced, so the damage is inside data that may have been"
                                + " acknowledged");
            }
            discarded++;
            p += frameSize;
        }
        log.warn(
                "Truncating the unforced tail of log segment {} at byte offset {} ({} bytes after record {}, {} of"
                        + " them valid-looking records written after a lost one); it was being written when the power or"
                        + " the process stopped and was never acknowledged",
                file,
                pos,
                content.limit() - pos,
                badIndex - 1,
                discarded);
        handle.truncate(pos);
        handle.force();
        files.syncDirectory(dir);
    }

    /** Size of a valid frame at {@code pos} holding {@code expectedIndex}, or -1. */
    private static int validFrameSize(ByteBuffer content, int pos, long expectedIndex) {
        int frameSize = RecordFormat.validFrameSize(content, pos);
        if (frameSize < 0
                || RecordFormat.indexAt(content, pos) != expectedIndex
                || !vouchesOnlyForEarlierBytes(content, pos)) {
            return -1;
        }
        return frameSize;
    }

    /** Size of a valid frame at {@code pos} with an index in {@code fromIndex..maxIndex}, or -1 (cheap checks first). */
    private static int plausibleFrameSize(ByteBuffer content, int pos, long fromIndex, long maxIndex) {
        int bodyLength = RecordFormat.bodyLengthAt(content, pos);
        if (bodyLength < RecordFormat.BODY_HEADER || bodyLength > content.limit() - pos - RecordFormat.FRAME_HEADER) {
            return -1;
        }
        long index = RecordFormat.indexAt(content, pos);
        if (index < fromIndex || index > maxIndex) {
            return -1;
        }
        int frameSize = RecordFormat.validFrameSize(content, pos);
        return frameSize > 0 && vouchesOnlyForEarlierBytes(content, pos) ? frameSize : -1;
    }

    // A record is written after the forced prefix it names; one naming more is not a record of this file.
    private static boolean vouchesOnlyForEarlierBytes(ByteBuffer content, int pos) {
        long forced = RecordFormat.forcedBytesAt(content, pos);
        return forced >= SegmentHeader.SIZE && forced <= pos;
    }

    private static ByteBuffer readAll(FileLayer.FileHandle handle, Path file) throws IOException {
        long size = handle.size();
        if (size > Integer.MAX_VALUE - 8) {
            throw new LogCorruptedException(
                    file, 0, "the segment is " + size + " bytes, larger than any segment this log writes");
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
