package dev.replication.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.core.EntryType;
import dev.replication.core.LogEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Property: for any sequence of appends, truncations, clean reopens and crashes, the log
 * agrees with a plain in-memory list of the acknowledged entries.
 */
class LogModelPropertyTest {

    private static final Path DIR = Path.of("/sim/prop/log");

    sealed interface Op permits Append, TruncateSuffix, TruncatePrefix, Reopen, Crash, CrashDuringAppend {}

    record Append(int count, int payloadSize, boolean newGeneration) implements Op {}

    /** Truncate from {@code back} entries before the end (0: a no-op at lastIndex + 1). */
    record TruncateSuffix(int back) implements Op {}

    /** Low-Water Mark at a fraction of the log. */
    record TruncatePrefix(double fraction) implements Op {}

    record Reopen() implements Op {}

    record Crash() implements Op {}

    /** A crash while an append waits for its fsync: a random prefix of its bytes may reach the disk. */
    record CrashDuringAppend(int count, long seed) implements Op {}

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Op> append = net.jqwik.api.Combinators.combine(
                        Arbitraries.integers().between(1, 8),
                        Arbitraries.integers().between(0, 400),
                        Arbitraries.of(true, false, false))
                .as(Append::new);
        Arbitrary<Op> suffix = Arbitraries.integers().between(0, 12).map(TruncateSuffix::new);
        Arbitrary<Op> prefix = Arbitraries.doubles().between(0, 1).map(TruncatePrefix::new);
        Arbitrary<Op> reopen = Arbitraries.just(new Reopen());
        Arbitrary<Op> crash = Arbitraries.just(new Crash());
        Arbitrary<Op> tornCrash = net.jqwik.api.Combinators.combine(
                        Arbitraries.integers().between(1, 6), Arbitraries.longs())
                .as(CrashDuringAppend::new);
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(10, append),
                        net.jqwik.api.Tuple.of(3, suffix),
                        net.jqwik.api.Tuple.of(2, prefix),
                        net.jqwik.api.Tuple.of(1, reopen),
                        net.jqwik.api.Tuple.of(1, crash),
                        net.jqwik.api.Tuple.of(1, tornCrash))
                .list()
                .ofMinSize(1)
                .ofMaxSize(40);
    }

    @Property(tries = 150)
    void theLogAgreesWithAListOfTheAcknowledgedEntries(@ForAll("operations") @Size(max = 40) List<Op> ops) {
        CrashSimulatingFileLayer files = new CrashSimulatingFileLayer();
        LogOptions options = LogOptions.defaults().withSegmentBytes(1024);
        List<LogEntry> model = new ArrayList<>();
        long generation = 1;
        long lowWaterMark = 1;
        SegmentedLog log = SegmentedLog.open(DIR, options, files);
        try {
            for (Op op : ops) {
                if (op instanceof Append append) {
                    generation += append.newGeneration() ? 1 : 0;
                    List<LogEntry> entries =
                            newEntries(generation, model.size() + 1, append.count(), append.payloadSize());
                    assertThat(log.append(entries).join()).isEqualTo(model.size() + append.count());
                    model.addAll(entries);
                } else if (op instanceof TruncateSuffix truncate) {
                    // A conflicting suffix never reaches below the Low-Water Mark (it is committed).
                    long from = Math.max(Math.max(log.firstIndex(), lowWaterMark), model.size() + 1 - truncate.back());
                    log.truncateSuffix(from).join();
                    if (from <= model.size()) {
                        model.subList((int) from - 1, model.size()).clear();
                    }
                } else if (op instanceof TruncatePrefix truncate) {
                    long upTo = log.firstIndex() + (long) (truncate.fraction() * (model.size() + 1 - log.firstIndex()));
                    log.truncatePrefix(upTo).join();
                    lowWaterMark = Math.max(lowWaterMark, upTo);
                } else if (op instanceof Reopen) {
                    log.close();
                    log = SegmentedLog.open(DIR, options, files);
                } else if (op instanceof Crash) {
                    files.crash();
                    log.close();
                    log = SegmentedLog.open(DIR, options, files);
                } else if (op instanceof CrashDuringAppend crash) {
                    List<LogEntry> attempted = newEntries(generation, model.size() + 1, crash.count(), 50);
                    files.holdForces();
                    log.append(attempted);
                    SegmentedLog writing = log;
                    await().atMost(Duration.ofSeconds(10))
                            .pollInterval(Duration.ofMillis(1))
                            .until(() -> files.heldForces() == 1);
                    files.crashKeepingTornTails(new Random(crash.seed()));
                    files.releaseForces();
                    log.close();
                    log = SegmentedLog.open(DIR, options, files);
                    // Unacknowledged entries may survive whole (torn tails keep a prefix); they are then real.
                    long survived = log.lastIndex() - model.size();
                    assertThat(survived).isBetween(0L, (long) crash.count());
                    model.addAll(attempted.subList(0, (int) survived));
                }
                assertAgrees(log, model, lowWaterMark);
            }
        } finally {
            files.releaseForces();
            log.close();
        }
    }

    private static void assertAgrees(SegmentedLog log, List<LogEntry> model, long lowWaterMark) {
        assertThat(log.lastIndex()).isEqualTo(model.size());
        assertThat(log.firstIndex()).isBetween(1L, Math.max(1, Math.min(lowWaterMark, model.size() + 1)));
        if (log.firstIndex() <= log.lastIndex()) {
            assertThat(log.entries(log.firstIndex(), log.lastIndex(), Long.MAX_VALUE))
                    .isEqualTo(model.subList((int) log.firstIndex() - 1, model.size()));
            long last = log.lastIndex();
            assertThat(log.generationAt(last))
                    .isEqualTo(model.get((int) last - 1).generation());
        }
    }

    private static List<LogEntry> newEntries(long generation, long from, int count, int payloadSize) {
        List<LogEntry> entries = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            long index = from + k;
            entries.add(new LogEntry(
                    generation,
                    index,
                    k % 5 == 4 ? EntryType.NOOP : EntryType.COMMAND,
                    LogFixtures.payloadFor(index * 7 + generation, payloadSize)));
        }
        return entries;
    }
}
