package dev.replication.log;

import static dev.replication.log.LogFixtures.entries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the log behaves when its disk fills up or stalls, on a file layer that injects both. */
class DiskSignalsTest {

    private static final Path DIR = Path.of("/sim/node-1/log");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final CrashSimulatingFileLayer files = new CrashSimulatingFileLayer();
    private final List<SegmentedLog> opened = new ArrayList<>();
    private LogOptions options =
            LogOptions.defaults().withSegmentBytes(4096).withDiskFullRetryInterval(Duration.ofMillis(20));

    @AfterEach
    void closeLogs() {
        files.releaseForces();
        files.failWritesAfter(Long.MAX_VALUE);
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

    @Test
    void onAFullDiskTheAppendWaitsUnacknowledgedAndTheLogSaysTheDiskIsFull() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 5, 100)).join();
        files.failWritesAfter(60);

        CompletableFuture<Long> waiting = log.append(entries(1, 6, 2, 100));

        await().atMost(WAIT).until(log::diskFull);
        assertThat(log.health().diskFull()).contains(DIR.toString()).contains("No space left on device");
        assertThat(log.health().healthy()).isFalse();
        assertThat(waiting).isNotDone();
    }

    @Test
    void whileTheDiskIsFullWrittenEntriesCanStillBeRead() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 5, 100)).join();
        files.failWritesAfter(60);
        log.append(entries(1, 6, 2, 100));
        await().atMost(WAIT).until(log::diskFull);

        assertThat(log.entries(1, 5, Long.MAX_VALUE)).isEqualTo(entries(1, 1, 5, 100));
    }

    @Test
    void onceSpaceReturnsTheWaitingAppendIsWrittenAndAcknowledgedWithoutARestart() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 5, 100)).join();
        files.failWritesAfter(60);
        CompletableFuture<Long> waiting = log.append(entries(1, 6, 2, 100));
        CompletableFuture<Long> queuedBehind = log.append(entries(1, 8, 1, 100));
        await().atMost(WAIT).until(log::diskFull);

        files.failWritesAfter(Long.MAX_VALUE);

        assertThat(waiting.join()).isEqualTo(7L);
        assertThat(queuedBehind.join()).isEqualTo(8L);
        assertThat(log.diskFull()).isFalse();
        files.crash();
        log.close();
        assertThat(open().entries(1, 8, Long.MAX_VALUE)).isEqualTo(entries(1, 1, 8, 100));
    }

    @Test
    void aFullDiskWhileRollingToANewSegmentIsRetriedToo() throws IOException {
        SegmentedLog log = open();
        log.append(entries(1, 1, 30, 100)).join();
        int segments = log.segmentCount();
        // Room for the records that still fit in the active segment, not for a new segment's header.
        int recordSize = RecordFormat.OVERHEAD + 100;
        long fitting = (options.segmentBytes() - activeSegmentSize()) / recordSize;
        files.failWritesAfter(fitting * recordSize + 5);
        CompletableFuture<Long> waiting = log.append(entries(1, 31, 10, 100));
        await().atMost(WAIT).until(log::diskFull);

        files.failWritesAfter(Long.MAX_VALUE);

        assertThat(waiting.join()).isEqualTo(40L);
        assertThat(log.segmentCount()).isGreaterThan(segments);
        files.crash();
        log.close();
        assertThat(open().entries(1, 40, Long.MAX_VALUE)).isEqualTo(entries(1, 1, 40, 100));
    }

    @Test
    void closingTheLogWhileTheDiskIsFullFailsTheWaitingAppendSayingItWasNotAcknowledged() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 5, 100)).join();
        files.failWritesAfter(60);
        CompletableFuture<Long> waiting = log.append(entries(1, 6, 2, 100));
        await().atMost(WAIT).until(log::diskFull);

        log.close();

        assertThatThrownBy(waiting::join)
                .hasCauseInstanceOf(WriteAheadLogException.class)
                .hasMessageContaining("closed while the disk was full")
                .hasMessageContaining("not acknowledged");
    }

    @Test
    void aCrashWhileTheDiskIsFullLosesOnlyTheUnacknowledgedAppend() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 5, 100)).join();
        files.failWritesAfter(60);
        log.append(entries(1, 6, 2, 100));
        await().atMost(WAIT).until(log::diskFull);

        files.crash();
        files.failWritesAfter(Long.MAX_VALUE);
        log.close();

        SegmentedLog reopened = open();
        assertThat(reopened.lastIndex()).isEqualTo(5);
        assertThat(reopened.append(entries(1, 6, 1, 100)).join()).isEqualTo(6L);
    }

    @Test
    void aPersistHeldLongerThanTheStallThresholdShowsAsStalledUntilItCompletes() {
        options = options.withStallThreshold(Duration.ofMillis(20));
        SegmentedLog log = open();
        files.holdForces();

        CompletableFuture<Long> held = log.append(entries(1, 1, 1, 10));

        await().atMost(WAIT).until(() -> log.health().stalled());
        assertThat(log.health().persistInProgressMillis()).isGreaterThan(20);
        files.releaseForces();
        held.join();
        await().atMost(WAIT).until(() -> !log.health().stalled());
        assertThat(log.health().persistInProgressMillis()).isZero();
        assertThat(log.health().lastPersistMillis()).isGreaterThan(20);
    }

    @Test
    void aFailedFsyncIsNotTakenForAFullDiskAndStaysFatal() {
        SegmentedLog log = open();
        log.append(entries(1, 1, 2, 10)).join();
        files.failNextForces(1);

        CompletableFuture<Long> failed = log.append(entries(1, 3, 1, 10));

        assertThatThrownBy(failed::join).hasCauseInstanceOf(WriteAheadLogException.class);
        assertThat(log.diskFull()).isFalse();
    }

    private long activeSegmentSize() throws IOException {
        Path newest = files.list(DIR).stream()
                .filter(file -> Segment.firstIndexOf(file) > 0)
                .max(Comparator.comparingLong(Segment::firstIndexOf))
                .orElseThrow();
        return files.sizeOf(newest);
    }
}
