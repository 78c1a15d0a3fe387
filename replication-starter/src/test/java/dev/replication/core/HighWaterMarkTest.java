package dev.replication.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HighWaterMarkTest {

    private final HighWaterMark mark = new HighWaterMark();

    @Test
    void leaderCommitsAMajorityIndexOfItsOwnGeneration() {
        assertThat(mark.advanceAsLeader(5, 3, 3)).isTrue();
        assertThat(mark.index()).isEqualTo(5);
    }

    @Test
    void leaderDoesNotCommitAnOlderGenerationEntryByCountingReplicas() {
        assertThat(mark.advanceAsLeader(5, 2, 3)).isFalse();
        assertThat(mark.index()).isZero();
    }

    @Test
    void leaderMarkNeverMovesBack() {
        mark.advanceAsLeader(7, 3, 3);
        assertThat(mark.advanceAsLeader(4, 3, 3)).isFalse();
        assertThat(mark.index()).isEqualTo(7);
    }

    @Test
    void followerLearnsTheLeaderMarkBoundedByWhatItMatched() {
        assertThat(mark.advanceAsFollower(10, 6)).isTrue();
        assertThat(mark.index()).isEqualTo(6);
        assertThat(mark.advanceAsFollower(10, 12)).isTrue();
        assertThat(mark.index()).isEqualTo(10);
    }

    @Test
    void followerMarkNeverMovesBack() {
        mark.advanceAsFollower(10, 10);
        assertThat(mark.advanceAsFollower(3, 3)).isFalse();
        assertThat(mark.index()).isEqualTo(10);
    }
}
