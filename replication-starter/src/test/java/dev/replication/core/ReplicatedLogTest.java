package dev.replication.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.core.simulation.MemoryLog;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicatedLogTest {

    private final MemoryLog durable = new MemoryLog();
    private final ReplicatedLog log = new ReplicatedLog(durable);

    private static LogEntry entry(long index, long generation) {
        return LogEntry.command(generation, index, new byte[] {(byte) index});
    }

    @Test
    void aDuplicatedAppendTruncatesNothing() {
        log.appendFromLeader(List.of(entry(1, 1), entry(2, 1), entry(3, 1)), 0);
        long truncated = log.appendFromLeader(List.of(entry(2, 1)), 0);
        assertThat(truncated).isZero();
        assertThat(log.lastIndex()).isEqualTo(3);
    }

    @Test
    void aConflictingEntryTruncatesTheSuffixFromThere() {
        log.appendFromLeader(List.of(entry(1, 1), entry(2, 1), entry(3, 1)), 0);
        long truncated = log.appendFromLeader(List.of(entry(2, 2)), 0);
        assertThat(truncated).isEqualTo(2);
        assertThat(log.lastIndex()).isEqualTo(2);
        assertThat(log.generationAt(2)).isEqualTo(2);
    }

    @Test
    void aConflictBelowTheCommitIndexStopsTheNode() {
        log.appendFromLeader(List.of(entry(1, 1), entry(2, 1)), 0);
        assertThatThrownBy(() -> log.appendFromLeader(List.of(entry(2, 2)), 2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is committed");
    }

    @Test
    void entriesHandedToTheDriverAreNotHandedAgain() {
        log.append(entry(1, 1));
        assertThat(log.unsubmitted()).hasSize(1);
        log.submitted(1);
        assertThat(log.unsubmitted()).isEmpty();
    }

    @Test
    void truncationHandsTheReplacedSuffixAgain() {
        log.appendFromLeader(List.of(entry(1, 1), entry(2, 1)), 0);
        log.submitted(2);
        log.appendFromLeader(List.of(entry(2, 2)), 0);
        assertThat(log.unsubmitted()).containsExactly(entry(2, 2));
    }

    @Test
    void persistedIsIgnoredWhenTheEntryWasReplacedMeanwhile() {
        log.appendFromLeader(List.of(entry(1, 1), entry(2, 1)), 0);
        log.appendFromLeader(List.of(entry(2, 2)), 0);
        assertThat(log.persisted(2, 1)).isFalse();
        assertThat(log.persistedIndex()).isZero();
        durable.append(List.of(entry(1, 1), entry(2, 2)));
        assertThat(log.persisted(2, 2)).isTrue();
        assertThat(log.persistedIndex()).isEqualTo(2);
    }

    @Test
    void rejectionHintPointsAtTheFirstEntryOfTheConflictingGeneration() {
        log.appendFromLeader(List.of(entry(1, 1), entry(2, 2), entry(3, 2), entry(4, 2)), 0);
        assertThat(log.rejectionHint(4, 0)).isEqualTo(2);
        assertThat(log.rejectionHint(9, 0)).isEqualTo(5);
    }

    // ---- snapshot base, compaction, install ---------------------------------------------

    /** A log restored over {@code durable} holding entries {@code from..to} of generation 1. */
    private static ReplicatedLog restored(MemoryLog durable, long from, long to, SnapshotMeta snapshot) {
        List<LogEntry> stored = new java.util.ArrayList<>();
        for (long index = from; index <= to; index++) {
            stored.add(entry(index, 1));
        }
        durable.resetAfter(from - 1, 0);
        durable.append(stored);
        return new ReplicatedLog(durable, snapshot);
    }

    @Test
    void aLogRestoredFromASnapshotAloneGoesOnRightAfterIt() {
        durable.resetAfter(10, 0);
        ReplicatedLog restored = new ReplicatedLog(durable, new SnapshotMeta(10, 3));

        assertThat(restored.lastIndex()).isEqualTo(10);
        assertThat(restored.generationAt(10)).isEqualTo(3);
        assertThat(restored.lastGeneration()).isEqualTo(3);
        assertThat(restored.firstIndex()).isEqualTo(11);
        assertThat(restored.persistedIndex()).isEqualTo(10);
    }

    @Test
    void aMarginKeptBelowTheSnapshotOnlyNamesTheGenerationOfItsFirstEntry() {
        ReplicatedLog restored = restored(durable, 5, 12, new SnapshotMeta(10, 1));

        assertThat(restored.firstIndex()).isEqualTo(6);
        assertThat(restored.generationAt(5)).isEqualTo(1);
        assertThat(restored.entries(6, 12, Long.MAX_VALUE)).hasSize(7);
        assertThatThrownBy(() -> restored.entry(5)).hasMessageContaining("compacted");
    }

    @Test
    void aDurableLogStartingPastItsSnapshotIsRefused() {
        assertThatThrownBy(() -> restored(durable, 8, 12, new SnapshotMeta(5, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("entries 6..7 are in neither");
    }

    @Test
    void afterCompactionNothingBelowTheFirstKeptIndexIsRead() {
        ReplicatedLog log = restored(durable, 1, 8, SnapshotMeta.NONE);

        log.compact(6, 1, 4);
        durable.deleteBelow(4); // the driver deletes only now; a read below would fail in the MemoryLog too

        assertThat(log.firstIndex()).isEqualTo(4);
        assertThat(log.generationAt(3)).isEqualTo(1); // kept for an append right after it
        assertThat(log.hasGenerationAt(2)).isFalse();
        assertThatThrownBy(() -> log.generationAt(2)).hasMessageContaining("compacted");
        assertThatThrownBy(() -> log.entries(2, 8, Long.MAX_VALUE)).hasMessageContaining("compacted");
        assertThat(log.entries(4, 8, Long.MAX_VALUE)).hasSize(5);
    }

    @Test
    void compactionKeepsWhatIsAlreadyCompactedCompactedWhenAskedToKeepLess() {
        ReplicatedLog log = restored(durable, 1, 8, SnapshotMeta.NONE);
        log.compact(5, 1, 5);

        log.compact(7, 1, 3);

        assertThat(log.firstIndex()).isEqualTo(5);
        assertThat(log.snapshotIndex()).isEqualTo(7);
    }

    @Test
    void compactionRefusesASnapshotBelowTheCurrentOne() {
        ReplicatedLog log = restored(durable, 1, 8, SnapshotMeta.NONE);
        log.compact(6, 1, 7);

        assertThatThrownBy(() -> log.compact(5, 1, 6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("below the current snapshot at 6");
    }

    @Test
    void compactionRefusesToKeepFromPastTheSnapshot() {
        ReplicatedLog log = restored(durable, 1, 8, SnapshotMeta.NONE);

        assertThatThrownBy(() -> log.compact(5, 1, 7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("past the snapshot at 5");
    }

    @Test
    void compactionRefusesASnapshotNamingAnotherGeneration() {
        ReplicatedLog log = restored(durable, 1, 8, SnapshotMeta.NONE);

        assertThatThrownBy(() -> log.compact(5, 2, 6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("generation 2");
    }

    @Test
    void installingOverAMatchingDurableEntryKeepsTheStoredSuffix() {
        ReplicatedLog log = restored(durable, 1, 8, SnapshotMeta.NONE);

        assertThat(log.installSnapshot(5, 1)).isTrue();

        assertThat(log.lastIndex()).isEqualTo(8);
        assertThat(log.firstIndex()).isEqualTo(6);
        assertThat(log.entry(6)).isEqualTo(entry(6, 1));
    }

    @Test
    void installingOverAnEntryOfAnotherGenerationDiscardsTheWholeLog() {
        ReplicatedLog log = restored(durable, 1, 8, SnapshotMeta.NONE);

        assertThat(log.installSnapshot(5, 2)).isFalse();

        assertThat(log.lastIndex()).isEqualTo(5);
        assertThat(log.lastGeneration()).isEqualTo(2);
        assertThat(log.persistedIndex()).isEqualTo(5);
        assertThat(log.unsubmitted()).isEmpty();
    }

    @Test
    void installingPastTheEndDiscardsTheWholeLog() {
        ReplicatedLog log = restored(durable, 1, 3, SnapshotMeta.NONE);

        assertThat(log.installSnapshot(5, 1)).isFalse();

        assertThat(log.lastIndex()).isEqualTo(5);
        assertThat(log.generationAt(5)).isEqualTo(1);
    }

    @Test
    void aMatchingEntryNotYetDurableKeepsItsSuffixInMemoryToHandAgain() {
        log.appendFromLeader(List.of(entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1)), 0);
        log.submitted(4); // handed to the driver, not yet durable

        assertThat(log.installSnapshot(2, 1)).isFalse(); // the driver has nothing stored to keep

        assertThat(log.lastIndex()).isEqualTo(4);
        assertThat(log.unsubmitted()).containsExactly(entry(3, 1), entry(4, 1));
    }

    @Test
    void aFollowerSkipsEntriesItsSnapshotCovers() {
        ReplicatedLog log = restored(durable, 1, 8, SnapshotMeta.NONE);
        log.compact(6, 1, 7);

        long truncated =
                log.appendFromLeader(List.of(entry(5, 1), entry(6, 1), entry(7, 1), entry(8, 1), entry(9, 1)), 6);

        assertThat(truncated).isZero();
        assertThat(log.lastIndex()).isEqualTo(9);
    }
}
