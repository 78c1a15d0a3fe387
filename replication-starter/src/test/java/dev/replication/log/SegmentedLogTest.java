package dev.replication.log;

import static dev.replication.log.LogFixtures.entries;
import static dev.replication.log.LogFixtures.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.replication.core.EntryType;
import dev.replication.core.LogEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The write-ahead log's rules, checked on a file layer that loses unsynced data at a crash. */
class SegmentedLogTest {

    private static final Path DIR = Path.of("/sim/node-1/log");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final CrashSimulatingFileLayer files = new CrashSimulatingFileLayer();
    private final List<SegmentedLog> opened = new ArrayList<>();
    private LogOptions options = LogOptions.defaults().withSegmentBytes(4096);

    @AfterEach
    void closeLogs() {
        files.releaseForces();
        for (SegmentedLog log : opened) {
            try {
                log.close();
            } catch (WriteAheadLogException ignored) {
                // A log whose files died in a simulated crash may fail to close; that is expected.
            }
        }
    }

    private SegmentedLog open() {
        SegmentedLog log = SegmentedLog.open(DIR, options, files);
        opened.add(log);
        return log;
    }

    private SegmentedLog crashAndReopen(SegmentedLog log) {
        files.crash();
        log.close();
        return open();
    }

    @Test
    void aNewLogIsEmptyAndStartsAtIndexOne() {
        SegmentedLog log = open();

        assertThat(log.firstIndex()).isEqualTo(1);
        assertThat(log.lastIndex()).isZero();
        assertThat(log.durableIndex()).isZero();
        assertThat(log.generationAt(0)).isZero();
    }

    @Test
    void appendedEntriesAreReadBackByIndex() {
        SegmentedLog log = open();
        List<LogEntry> written = entries(3, 1, 20, 100);

        assertThat(log.append(written).join()).isEqualTo(20L);

        for (LogEntry entry : written) {
            assertThat(log.entry(entry.index())).isEqualTo(entry);
        }
        assertThat(log.lastIndex()).isEqualTo(20);
        assertThat(log.durableIndex()).isEqualTo(20);
    }

    @Test
    void acknowledgedEntriesAcrossManySegmentsSurviveACrash() {
        SegmentedLog log = open();
        List<LogEntry> written = new ArrayList<>();
        for (int batch = 0; batch < 30; batch++) {
            List<LogEntry> next = entries(1, written.size() + 1, 5, 300);
            log.append(next).join();
            written.addAll(next);
        }
        assertThat(log.segmentCount()).isGreaterThan(5);

        SegmentedLog reopened = crashAndReopen(log);

        assertThat(reopened.lastIndex()).isEqualTo(written.size());
        assertThat(reopened.entries(1, written.size(), Long.MAX_VALUE)).isEqualTo(written);
    }

    @Test
    void anAppendCompletesOnlyAfterItsRecordsAreForced() {
        SegmentedLog log = open();
        files.holdForces();

        CompletableFuture<Long> appended = log.append(entries(1, 1, 1, 10));

        await().atMost(WAIT).until(() -> files.heldForces() == 1);
        assertThat(appended).isNotDone();
        assertThat(log.durableIndex()).isZero();
        files.releaseForces();
        assertThat(appended.join()).isEqualTo(1L);
        assertThat(log.durableIndex()).isEqualTo(1);
    }

    @Test
    void aCrashDuringTheFsyncLosesOnlyTheUnacknowledgedEntries() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 3, 10)).join();
        files.holdForces();
        CompletableFuture<Long> pending = log.append(entries(1, 4, 3, 10));
        await().atMost(WAIT).until(() -> files.heldForces() == 1);

        files.crash();
        files.releaseForces();

        assertThatThrownBy(pending::join)
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(WriteAheadLogException.class);
        log.close();
        SegmentedLog reopened = open();
        assertThat(reopened.lastIndex()).isEqualTo(3);
        assertThat(reopened.entries(1, 3, Long.MAX_VALUE)).isEqualTo(entries(1, 1, 3, 10));
    }

    @Test
    void concurrentAppendsWaitingForOneFsyncShareTheNext() {
        SegmentedLog log = open();
        files.holdForces();
        CompletableFuture<Long> first = log.append(entries(1, 1, 1, 10));
        await().atMost(WAIT).until(() -> files.heldForces() == 1);
        List<CompletableFuture<Long>> waiting = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            waiting.add(log.append(entries(1, 2 + k, 1, 10)));
        }
        long forcesBefore = log.appendFsyncCount();

        files.releaseForces();

        first.join();
        waiting.forEach(CompletableFuture::join);
        assertThat(log.appendFsyncCount() - forcesBefore).isEqualTo(2);
        assertThat(log.durableIndex()).isEqualTo(21);
    }

    @Test
    void eachOfManyConcurrentAppendersIsAcknowledgedWithItsOwnIndex() throws Exception {
        SegmentedLog log = open();
        int appenders = 16;
        int perAppender = 50;
        Object indexLock = new Object();
        AtomicLong next = new AtomicLong(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < appenders; t++) {
            threads.add(new Thread(() -> {
                try {
                    for (int k = 0; k < perAppender; k++) {
                        long index;
                        CompletableFuture<Long> done;
                        synchronized (indexLock) {
                            index = next.getAndIncrement();
                            done = log.append(List.of(entry(1, index, 64)));
                        }
                        assertThat(done.join()).isEqualTo(index);
                        assertThat(log.durableIndex()).isGreaterThanOrEqualTo(index);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(failure.get()).isNull();
        assertThat(log.lastIndex()).isEqualTo(appenders * perAppender);
        assertThat(crashAndReopen(log).entries(1, appenders * perAppender, Long.MAX_VALUE))
                .isEqualTo(entries(1, 1, appenders * perAppender, 64));
    }

    @Test
    void anAppendThatDoesNotFollowTheLastIndexIsRefusedNamingBothIndexes() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 5, 10)).join();

        assertThatThrownBy(() -> log.append(entries(1, 8, 1, 10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 8")
                .hasMessageContaining("last index is 5");
    }

    @Test
    void entriesThatAreNotContiguousAreRefused() {
        SegmentedLog log = open();

        assertThatThrownBy(() -> log.append(List.of(entry(1, 1, 10), entry(1, 3, 10))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("contiguous");
        assertThat(log.lastIndex()).isZero();
    }

    @Test
    void aRecordOverTheMaximumSizeIsRefusedAndNothingIsWritten() {
        options = options.withMaxRecordBytes(1024);
        SegmentedLog log = open();
        long segmentBytes = files.sizeOf(DIR.resolve(Segment.fileName(1)));

        assertThatThrownBy(() -> log.append(List.of(entry(1, 1, 10), entry(1, 2, 2000))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("log entry 2")
                .hasMessageContaining("maximum record size of 1024");
        assertThat(files.sizeOf(DIR.resolve(Segment.fileName(1)))).isEqualTo(segmentBytes);
        assertThat(log.append(entries(1, 1, 1, 10)).join()).isEqualTo(1L);
    }

    @Test
    void segmentsRollAtTheConfiguredSizeAndAreNamedByTheirFirstIndex() throws Exception {
        SegmentedLog log = open();
        log.append(entries(1, 1, 40, 1000)).join();

        List<Path> segmentFiles = files.list(DIR);
        assertThat(segmentFiles).hasSizeGreaterThan(5);
        for (Path file : segmentFiles) {
            long first = Segment.firstIndexOf(file);
            assertThat(files.sizeOf(file)).isLessThanOrEqualTo(4096);
            assertThat(log.entry(first).index()).isEqualTo(first);
            assertThat(file.getFileName().toString()).isEqualTo(String.format("%020d.log", first));
        }
    }

    @Test
    void readingAnEntryReadsOnlyThatRecordInsteadOfScanning() {
        options = options.withSegmentBytes(1024 * 1024);
        SegmentedLog log = open();
        log.append(entries(1, 1, 2000, 200)).join();
        long before = files.bytesRead();

        LogEntry entry = log.entry(1500);

        assertThat(entry).isEqualTo(entry(1, 1500, 200));
        assertThat(files.bytesRead() - before).isLessThanOrEqualTo(RecordFormat.OVERHEAD + 200);
    }

    @Test
    void readersSeeConsistentEntriesWhileTheWriterAppends() throws Exception {
        SegmentedLog log = open();
        log.append(entries(1, 1, 1, 50)).join();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        AtomicLong reads = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            readers.add(new Thread(() -> {
                try {
                    while (writing.get() || reads.get() < 100) {
                        long last = log.lastIndex();
                        long index = ThreadLocalRandom.current().nextLong(log.firstIndex(), last + 1);
                        assertThat(log.entry(index)).isEqualTo(entry(1, index, 50));
                        reads.incrementAndGet();
                    }
                } catch (Throwable t) {
                    readerFailure.set(t);
                }
            }));
        }
        readers.forEach(Thread::start);

        for (long index = 2; index <= 1500; index += 10) {
            log.append(entries(1, index, 10, 50));
        }
        await().atMost(WAIT).until(() -> log.durableIndex() == 1501);
        writing.set(false);
        for (Thread reader : readers) {
            reader.join();
        }

        assertThat(readerFailure.get()).isNull();
        assertThat(reads.get()).isGreaterThanOrEqualTo(100);
    }

    @Test
    void generationAtAnswersFromTheEntries() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 3, 10)).join();
        log.append(entries(4, 4, 2, 10)).join();
        log.append(entries(7, 6, 1, 10)).join();

        assertThat(log.generationAt(0)).isZero();
        assertThat(List.of(
                        log.generationAt(1),
                        log.generationAt(3),
                        log.generationAt(4),
                        log.generationAt(5),
                        log.generationAt(6)))
                .containsExactly(1L, 1L, 4L, 4L, 7L);
    }

    @Test
    void entriesStopOnceTheirPayloadsExceedMaxBytesButReturnAtLeastOne() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 10, 100)).join();

        assertThat(log.entries(1, 10, 250)).extracting(LogEntry::index).containsExactly(1L, 2L);
        assertThat(log.entries(3, 10, 10)).extracting(LogEntry::index).containsExactly(3L);
        assertThat(log.entries(9, 10, Long.MAX_VALUE))
                .extracting(LogEntry::index)
                .containsExactly(9L, 10L);
    }

    @Test
    void readingOutsideTheLogIsRefusedWithTheRangeItHolds() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 3, 10)).join();

        assertThatThrownBy(() -> log.entry(4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1..3");
    }

    @Test
    void truncateSuffixDropsTheTailDurablyAcrossSegments() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 40, 300)).join();
        int segmentsBefore = log.segmentCount();

        log.truncateSuffix(12).join();

        assertThat(log.lastIndex()).isEqualTo(11);
        assertThat(log.segmentCount()).isLessThan(segmentsBefore);
        SegmentedLog reopened = crashAndReopen(log);
        assertThat(reopened.lastIndex()).isEqualTo(11);
        assertThat(reopened.entries(1, 11, Long.MAX_VALUE)).isEqualTo(entries(1, 1, 11, 300));
    }

    @Test
    void afterTruncateSuffixAppendsContinueFromTheCutWithANewGeneration() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 10, 10)).join();
        log.truncateSuffix(6);

        log.append(entries(2, 6, 3, 20)).join();

        SegmentedLog reopened = crashAndReopen(log);
        assertThat(reopened.lastIndex()).isEqualTo(8);
        assertThat(reopened.entry(5)).isEqualTo(entry(1, 5, 10));
        assertThat(reopened.entry(6)).isEqualTo(entry(2, 6, 20));
        assertThat(reopened.generationAt(8)).isEqualTo(2);
    }

    @Test
    void truncateSuffixOfTheWholeLogKeepsItsFirstIndex() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 10, 10)).join();

        log.truncateSuffix(1).join();

        SegmentedLog reopened = crashAndReopen(log);
        assertThat(reopened.firstIndex()).isEqualTo(1);
        assertThat(reopened.lastIndex()).isZero();
    }

    @Test
    void truncatePrefixDeletesWholeSegmentsBelowTheLowWaterMarkDurably() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 100, 300)).join();
        int segmentsBefore = log.segmentCount();

        log.truncatePrefix(50).join();

        assertThat(log.segmentCount()).isLessThan(segmentsBefore);
        assertThat(log.firstIndex()).isLessThanOrEqualTo(50).isGreaterThan(40);
        long first = log.firstIndex();
        SegmentedLog reopened = crashAndReopen(log);
        assertThat(reopened.firstIndex()).isEqualTo(first);
        assertThat(reopened.lastIndex()).isEqualTo(100);
        assertThat(reopened.entries(first, 100, Long.MAX_VALUE)).isEqualTo(entries(1, first, (int) (101 - first), 300));
    }

    @Test
    void truncatePrefixNeverDeletesTheNewestSegment() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 30, 300)).join();

        log.truncatePrefix(1_000).join();

        assertThat(log.segmentCount()).isEqualTo(1);
        assertThat(log.lastIndex()).isEqualTo(30);
        assertThat(log.entry(30)).isEqualTo(entry(1, 30, 300));
    }

    @Test
    void restartAfterASnapshotLeavesAnEmptyLogThatContinuesAtTheNextIndexAcrossACrash() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 100, 300)).join();

        log.restartAfter(5_000).join();

        assertThat(log.firstIndex()).isEqualTo(5_001);
        assertThat(log.lastIndex()).isEqualTo(5_000);
        log.append(entries(4, 5_001, 3, 300)).join();
        SegmentedLog reopened = crashAndReopen(log);
        assertThat(reopened.firstIndex()).isEqualTo(5_001);
        assertThat(reopened.lastIndex()).isEqualTo(5_003);
        assertThat(reopened.entry(5_001)).isEqualTo(entry(4, 5_001, 300));
        assertThat(reopened.segmentCount()).isEqualTo(1);
    }

    @Test
    void restartAfterAnIndexInsideTheLogDropsEveryEntryIncludingTheNewerOnes() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 100, 300)).join();

        log.restartAfter(40).join();

        assertThat(log.firstIndex()).isEqualTo(41);
        assertThat(log.lastIndex()).isEqualTo(40);
        assertThatThrownBy(() -> log.append(entries(2, 42, 1, 10)))
                .satisfiesAnyOf(
                        thrown -> assertThat(thrown).hasMessageContaining("41"),
                        thrown -> assertThat(thrown)
                                .hasRootCauseMessage("cannot append at index 42: the log's last index is 40,"
                                        + " so the next entry must have index 41"));
        log.append(entries(2, 41, 1, 10)).join();
        assertThat(crashAndReopen(log).lastIndex()).isEqualTo(41);
    }

    @Test
    void aCrashWhileRestartingLeavesAContiguousLogOrAnEmptyOne() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 100, 300)).join();
        files.holdForces();
        java.util.concurrent.CompletableFuture<Void> restarting = log.restartAfter(500);
        await().atMost(WAIT).until(() -> files.heldForces() >= 1);

        files.crash();
        files.releaseForces();

        SegmentedLog reopened = open();
        if (reopened.lastIndex() >= reopened.firstIndex()) {
            assertThat(reopened.entries(reopened.firstIndex(), reopened.lastIndex(), Long.MAX_VALUE))
                    .isEqualTo(entries(
                            1, reopened.firstIndex(), (int) (reopened.lastIndex() - reopened.firstIndex() + 1), 300));
        }
        assertThat(reopened.lastIndex()).isIn(100L, 500L, 0L);
        // The crash fails the restart on the old log's writer thread, asynchronously.
        await().atMost(WAIT).until(restarting::isDone);
    }

    @Test
    void truncateSuffixBelowTheFirstIndexIsRefused() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 100, 300)).join();
        log.truncatePrefix(50).join();

        assertThatThrownBy(() -> log.truncateSuffix(2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Low-Water Mark");
        assertThat(log.lastIndex()).isEqualTo(100);
        assertThat(log.append(entries(1, 101, 1, 300)).join()).isEqualTo(101L);
    }

    @Test
    void truncateSuffixBelowAQueuedLowWaterMarkIsRefusedBeforeItReachesTheWriter() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 100, 300)).join();
        files.holdForces();
        CompletableFuture<Void> prefix = log.truncatePrefix(90);

        assertThatThrownBy(() -> log.truncateSuffix(60)).isInstanceOf(IllegalArgumentException.class);
        files.releaseForces();
        prefix.join();
        assertThat(log.append(entries(1, 101, 1, 300)).join()).isEqualTo(101L);
    }

    @Test
    void closingTheLogFromAnAppendCallbackDoesNotDeadlock() {
        SegmentedLog log = open();

        CompletableFuture<Void> closed = log.append(entries(1, 1, 1, 10)).thenAccept(last -> log.close());

        closed.join();
        assertThatThrownBy(() -> log.append(entries(1, 2, 1, 10)).join()).hasMessageContaining("closed");
    }

    @Test
    void afterAFailedFsyncEveryLaterRequestFailsWithTheSameCause() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 2, 10)).join();
        files.failNextForces(1);

        CompletableFuture<Long> failed = log.append(entries(1, 3, 1, 10));

        assertThatThrownBy(failed::join)
                .hasCauseInstanceOf(WriteAheadLogException.class)
                .hasMessageContaining("simulated fsync failure");
        assertThatThrownBy(() -> log.append(entries(1, 4, 1, 10)).join())
                .hasCauseInstanceOf(WriteAheadLogException.class)
                .hasMessageContaining("accepts no further writes")
                .hasMessageContaining("simulated fsync failure");
        assertThatThrownBy(() -> log.truncateSuffix(2).join()).hasMessageContaining("accepts no further writes");
    }

    @Test
    void anUnwritableDataDirectoryFailsOpenWithAClearMessage() throws Exception {
        files.createDirectories(DIR.getParent());
        files.makeReadOnly(DIR.getParent());

        assertThatThrownBy(this::open)
                .isInstanceOf(WriteAheadLogException.class)
                .hasMessageContaining(DIR.toString())
                .hasMessageContaining("writable");
    }

    @Test
    void closeFailsQueuedRequestsAndLetsTheBatchInProgressFinish() throws Exception {
        SegmentedLog log = open();
        files.holdForces();
        CompletableFuture<Long> inProgress = log.append(entries(1, 1, 1, 10));
        await().atMost(WAIT).until(() -> files.heldForces() == 1);
        CompletableFuture<Long> queued = log.append(entries(1, 2, 1, 10));

        Thread closer = new Thread(log::close);
        closer.start();
        await().atMost(WAIT).until(queued::isDone);
        files.releaseForces();
        closer.join();

        assertThat(inProgress.join()).isEqualTo(1L);
        assertThatThrownBy(queued::join)
                .hasCauseInstanceOf(WriteAheadLogException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> log.append(entries(1, 2, 1, 10)).join()).hasMessageContaining("closed");
    }

    @Test
    void theIntervalPolicyAcknowledgesBeforeTheFsyncAndForcesWithinTheInterval() {
        options = options.withIntervalFsync(Duration.ofMillis(50));
        SegmentedLog log = open();
        files.holdForces();

        long last = log.append(entries(1, 1, 3, 10)).join();

        assertThat(last).isEqualTo(3);
        assertThat(log.durableIndex()).isZero();
        files.releaseForces();
        await().atMost(WAIT).until(() -> log.durableIndex() == 3);
    }

    @Test
    void underTheIntervalPolicyAPowerLossCanTakeAcknowledgedEntries() {
        options = options.withIntervalFsync(Duration.ofSeconds(30));
        SegmentedLog log = open();
        log.append(entries(1, 1, 2, 10)).join();
        await().atMost(WAIT).until(() -> log.durableIndex() == 2);

        long acknowledged = log.append(entries(1, 3, 2, 10)).join();

        assertThat(acknowledged).isEqualTo(4);
        assertThat(crashAndReopen(log).lastIndex()).isEqualTo(2);
    }

    @Test
    void alwaysIsTheDefaultFsyncPolicy() {
        assertThat(LogOptions.defaults().fsyncPolicy()).isEqualTo(FsyncPolicy.ALWAYS);
    }

    @Test
    void entriesOfEveryTypeRoundTrip() {
        SegmentedLog log = open();
        List<LogEntry> written = List.of(
                LogEntry.noop(2, 1),
                new LogEntry(2, 2, EntryType.CONFIGURATION, new byte[] {1, 2}),
                LogEntry.command(2, 3, new byte[0]));

        log.append(written).join();

        assertThat(crashAndReopen(log).entries(1, 3, Long.MAX_VALUE)).isEqualTo(written);
    }
}
