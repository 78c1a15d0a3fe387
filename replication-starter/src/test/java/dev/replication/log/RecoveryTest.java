package dev.replication.log;

import static dev.replication.log.LogFixtures.entries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.core.LogEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery on open against real files: torn tails are cut, damage before the tail stops the open. */
class RecoveryTest {

    @TempDir
    Path dir;

    private final LogOptions options = LogOptions.defaults().withSegmentBytes(4096);

    private void writeAndClose(List<LogEntry> entries) {
        try (SegmentedLog log = SegmentedLog.open(dir, options)) {
            log.append(entries).join();
        }
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> Segment.firstIndexOf(f) > 0)
                    .sorted((a, b) -> Long.compare(Segment.firstIndexOf(a), Segment.firstIndexOf(b)))
                    .toList();
        }
    }

    private Path lastSegment() throws IOException {
        List<Path> files = segmentFiles();
        return files.get(files.size() - 1);
    }

    private static void appendBytes(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    private static void overwrite(Path file, long position, byte[] bytes) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(bytes), position);
        }
    }

    /** The record as the writer frames it when the first {@code forced} bytes of its segment are durable. */
    private static byte[] encoded(LogEntry entry, long forced) {
        ByteBuffer buf = ByteBuffer.allocate(RecordFormat.encodedSize(entry));
        RecordFormat.encode(entry, forced, buf);
        return buf.array();
    }

    @Test
    void aTornRecordAtTheTailIsTruncatedOnOpen() throws Exception {
        writeAndClose(entries(1, 1, 10, 100));
        Path last = lastSegment();
        long intactSize = Files.size(last);
        byte[] nextRecord = encoded(LogFixtures.entry(1, 11, 100), intactSize);
        appendBytes(last, java.util.Arrays.copyOf(nextRecord, nextRecord.length / 2));

        try (SegmentedLog log = SegmentedLog.open(dir, options)) {
            assertThat(log.lastIndex()).isEqualTo(10);
            assertThat(Files.size(last)).isEqualTo(intactSize);
            assertThat(log.append(entries(1, 11, 1, 100)).join()).isEqualTo(11L);
        }
        try (SegmentedLog log = SegmentedLog.open(dir, options)) {
            assertThat(log.entries(1, 11, Long.MAX_VALUE)).isEqualTo(entries(1, 1, 11, 100));
        }
    }

    @Test
    void aGarbageTailIsTruncatedOnOpen() throws Exception {
        writeAndClose(entries(1, 1, 10, 100));
        byte[] garbage = new byte[300];
        new Random(7).nextBytes(garbage);
        appendBytes(lastSegment(), garbage);

        try (SegmentedLog log = SegmentedLog.open(dir, options)) {
            assertThat(log.lastIndex()).isEqualTo(10);
            assertThat(log.entries(1, 10, Long.MAX_VALUE)).isEqualTo(entries(1, 1, 10, 100));
        }
    }

    @Test
    void aZeroFilledTailIsTruncatedOnOpen() throws Exception {
        writeAndClose(entries(1, 1, 3, 100));
        appendBytes(lastSegment(), new byte[500]);

        try (SegmentedLog log = SegmentedLog.open(dir, options)) {
            assertThat(log.lastIndex()).isEqualTo(3);
        }
    }

    @Test
    void aDamagedRecordThatALaterRecordProvesForcedStopsTheOpenNamingFileAndOffset() throws Exception {
        try (SegmentedLog log = SegmentedLog.open(dir, options)) {
            log.append(entries(1, 1, 5, 100)).join();
            log.append(entries(1, 6, 5, 100)).join();
        }
        Path last = lastSegment();
        long recordSize = RecordFormat.OVERHEAD + 100;
        long offsetOfRecord3 = SegmentHeader.SIZE + 2 * recordSize;
        overwrite(last, offsetOfRecord3 + 40, new byte[] {42, 42, 42});
        long sizeBefore = Files.size(last);

        assertThatThrownBy(() -> SegmentedLog.open(dir, options))
                .isInstanceOf(LogCorruptedException.class)
                .hasMessageContaining(last.toString())
                .hasMessageContaining("offset " + offsetOfRecord3)
                .hasMessageContaining("record 3")
                .hasMessageContaining("record 6");
        assertThat(Files.size(last)).isEqualTo(sizeBefore);
    }

    @Test
    void aLostPageOfAnUnforcedBatchCutsTheLogThereEvenBeforeValidRecordsOfThatBatch() throws Exception {
        writeAndClose(entries(1, 1, 5, 100));
        Path last = lastSegment();
        long forced = Files.size(last);
        List<LogEntry> unforced = entries(1, 6, 5, 100);
        java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
        for (LogEntry entry : unforced) {
            byte[] record = encoded(entry, forced);
            // Record 7's page never reached the disk: it reads back as zeros.
            batch.writeBytes(entry.index() == 7 ? new byte[record.length] : record);
        }
        appendBytes(last, batch.toByteArray());

        try (SegmentedLog log = SegmentedLog.open(dir, options)) {
            assertThat(log.lastIndex()).isEqualTo(6);
            assertThat(log.entries(1, 6, Long.MAX_VALUE)).isEqualTo(entries(1, 1, 6, 100));
            assertThat(Files.size(last)).isEqualTo(forced + RecordFormat.OVERHEAD + 100);
        }
    }

    @Test
    void aDamagedRecordInASegmentFollowedByNewerSegmentsStopsTheOpen() throws Exception {
        writeAndClose(entries(1, 1, 40, 300));
        Path first = segmentFiles().get(0);
        long lastRecordOffset = Files.size(first) - (RecordFormat.OVERHEAD + 300);
        overwrite(first, lastRecordOffset + 30, new byte[] {1, 2, 3, 4});

        assertThatThrownBy(() -> SegmentedLog.open(dir, options))
                .isInstanceOf(LogCorruptedException.class)
                .hasMessageContaining(first.toString())
                .hasMessageContaining("offset " + lastRecordOffset)
                .hasMessageContaining("newer segments");
    }

    @Test
    void aMissingSegmentInTheMiddleStopsTheOpen() throws Exception {
        writeAndClose(entries(1, 1, 40, 300));
        Files.delete(segmentFiles().get(1));

        assertThatThrownBy(() -> SegmentedLog.open(dir, options))
                .isInstanceOf(LogCorruptedException.class)
                .hasMessageContaining("segment is missing");
    }

    @Test
    void aSegmentOfAnUnknownFormatVersionIsRefusedRatherThanMisread() throws Exception {
        writeAndClose(entries(1, 1, 3, 100));
        Path last = lastSegment();
        int newer = SegmentHeader.CURRENT_VERSION + 1;
        overwrite(last, 0, SegmentHeader.encode(newer, 1).array());

        assertThatThrownBy(() -> SegmentedLog.open(dir, options))
                .isInstanceOf(WriteAheadLogException.class)
                .hasMessageContaining(last.toString())
                .hasMessageContaining("format version " + newer + " is not supported");
    }

    @Test
    void aSegmentOfTheEarlierFormatVersionIsRefusedSayingWhatToDo() throws Exception {
        writeAndClose(entries(1, 1, 3, 100));
        Path last = lastSegment();
        overwrite(last, 0, SegmentHeader.encode(1, 1).array());

        assertThatThrownBy(() -> SegmentedLog.open(dir, options))
                .isInstanceOf(WriteAheadLogException.class)
                .hasMessageContaining(last.toString())
                .hasMessageContaining("format version 1 was written by an earlier release")
                .hasMessageContaining("re-add the node");
    }

    @Test
    void aNewestSegmentWithAnIncompleteHeaderIsRemoved() throws Exception {
        writeAndClose(entries(1, 1, 3, 100));
        Path torn = dir.resolve(Segment.fileName(4));
        Files.write(torn, java.util.Arrays.copyOf(SegmentHeader.encode(4).array(), 7));

        try (SegmentedLog log = SegmentedLog.open(dir, options)) {
            assertThat(log.lastIndex()).isEqualTo(3);
            assertThat(torn).doesNotExist();
            assertThat(log.append(entries(1, 4, 1, 100)).join()).isEqualTo(4L);
        }
    }

    @Test
    void aDataDirectoryThatCannotBeCreatedFailsOpenWithAClearMessage() throws Exception {
        Path blocker = dir.resolve("not-a-directory");
        Files.writeString(blocker, "x");
        Path logDir = blocker.resolve("log");

        assertThatThrownBy(() -> SegmentedLog.open(logDir, options))
                .isInstanceOf(WriteAheadLogException.class)
                .hasMessageContaining(logDir.toString())
                .hasMessageContaining("writable");
    }
}
