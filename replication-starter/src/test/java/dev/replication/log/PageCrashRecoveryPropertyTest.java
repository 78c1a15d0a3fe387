package dev.replication.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.core.LogEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Property: whatever subset of the pages written since the last fsync a power loss keeps, in
 * whatever order the disk wrote them back, recovery starts, keeps every acknowledged record and
 * returns only records that were written, at their own index.
 */
class PageCrashRecoveryPropertyTest {

    private static final Path DIR = Path.of("/sim/pages/log");
    private static final int CRASHES = 6;

    @Property(tries = 60)
    void recoveryAfterAnyPageSubsetKeepsTheAcknowledgedRecordsAndInventsNone(@ForAll long seed) {
        Random random = new Random(seed);
        CrashSimulatingFileLayer files = new CrashSimulatingFileLayer();
        LogOptions options = LogOptions.defaults().withSegmentBytes(24 * 1024);
        Map<Long, LogEntry> written = new HashMap<>();
        long acknowledged = 0;
        long generation = 1;
        SegmentedLog log = SegmentedLog.open(DIR, options, files);
        try {
            for (int crash = 0; crash < CRASHES; crash++) {
                for (int batch = random.nextInt(4); batch > 0; batch--) {
                    List<LogEntry> entries = newEntries(random, generation, log.lastIndex() + 1, written);
                    acknowledged = log.append(entries).join();
                }
                files.holdForces();
                List<LogEntry> unacknowledged = newEntries(random, generation, log.lastIndex() + 1, written);
                CompletableFuture<Long> pending = log.append(unacknowledged);
                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(1))
                        .until(() -> files.heldForces() == 1);
                files.crashKeepingRandomPages(random);
                files.releaseForces();
                log.close();
                assertThat(pending).isCompletedExceptionally();

                log = SegmentedLog.open(DIR, options, files);

                assertThat(log.lastIndex()).isGreaterThanOrEqualTo(acknowledged);
                for (long index = log.firstIndex(); index <= log.lastIndex(); index++) {
                    assertThat(log.entry(index)).as("record %d", index).isEqualTo(written.get(index));
                }
                generation++;
            }
        } finally {
            files.releaseForces();
            log.close();
        }
    }

    /** 1 to 30 entries with payloads of up to 1.5 KiB: a batch spans several pages. */
    private static List<LogEntry> newEntries(Random random, long generation, long from, Map<Long, LogEntry> written) {
        List<LogEntry> entries = new ArrayList<>();
        int count = 1 + random.nextInt(30);
        for (int k = 0; k < count; k++) {
            LogEntry entry = LogFixtures.entry(generation, from + k, random.nextInt(1536));
            entries.add(entry);
            written.put(entry.index(), entry);
        }
        return entries;
    }
}
