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
}
