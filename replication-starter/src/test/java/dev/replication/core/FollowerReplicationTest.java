package dev.replication.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The leader's per-follower states (PROBE, REPLICATE, SNAPSHOT) and the moves between them. */
class FollowerReplicationTest {

    private static final long LOST_AFTER_TICKS = 10;
    private static final long SNAPSHOT_TIMEOUT_TICKS = 30;

    /** A follower new to this leader, which will send from index 8 with a window of two. */
    private final FollowerReplication follower = new FollowerReplication("n2", 8, 2);

    @Test
    void aNewFollowerIsProbed() {
        assertThat(follower.state()).isEqualTo(ReplicationState.PROBE);
        assertThat(follower.canSend()).isTrue();
    }

    @Test
    void aProbeWaitsForAnAnswerBeforeTheNextIsSent() {
        follower.sent(9, 100, 0);

        assertThat(follower.canSend()).isFalse();
        assertThat(follower.nextIndex()).isEqualTo(8);
    }

    @Test
    void anyAnswerLetsTheNextProbeGo() {
        follower.sent(9, 100, 0);

        follower.heardFrom(1);

        assertThat(follower.canSend()).isTrue();
    }

    @Test
    void ticksAloneDoNotResendAProbe() {
        follower.sent(9, 100, 0);

        for (long tick = 1; tick <= 3 * LOST_AFTER_TICKS; tick++) {
            follower.tick(tick, LOST_AFTER_TICKS, SNAPSHOT_TIMEOUT_TICKS);
        }

        assertThat(follower.canSend()).isFalse();
    }

    @Test
    void aMatchSwitchesToReplicatingJustAfterTheMatchedIndex() {
        assertThat(follower.matched(5, 0)).isTrue();

        assertThat(follower.state()).isEqualTo(ReplicationState.REPLICATE);
        assertThat(follower.matchIndex()).isEqualTo(5);
        assertThat(follower.nextIndex()).isEqualTo(6);
    }

    @Test
    void replicatingPipelinesAppendsUntilTheWindowIsFull() {
        follower.matched(5, 0);

        follower.sent(6, 100, 0);
        assertThat(follower.canSend()).isTrue();
        follower.sent(7, 100, 0);

        assertThat(follower.canSend()).isFalse();
        assertThat(follower.nextIndex()).isEqualTo(8);
        assertThat(follower.progress().inflightAppends()).isEqualTo(2);
    }

    @Test
    void anAcknowledgementFreesTheWindowSlotsItCovers() {
        follower.matched(5, 0);
        follower.sent(6, 100, 0);
        follower.sent(7, 100, 0);

        follower.matched(6, 0);

        assertThat(follower.canSend()).isTrue();
        assertThat(follower.progress().inflightAppends()).isEqualTo(1);
    }

    @Test
    void aRepeatedMatchDoesNotCountAsProgress() {
        follower.matched(5, 0);

        assertThat(follower.matched(5, 0)).isFalse();
        assertThat(follower.matched(4, 0)).isFalse();
        assertThat(follower.matchIndex()).isEqualTo(5);
    }

    @Test
    void aRejectionWhileReplicatingGoesBackToProbingWhereTheLeaderSaysToLook() {
        follower.matched(5, 0);
        follower.sent(6, 100, 0);
        follower.sent(7, 100, 0);

        assertThat(follower.rejected(6, 7)).isTrue();

        assertThat(follower.state()).isEqualTo(ReplicationState.PROBE);
        assertThat(follower.nextIndex()).isEqualTo(7);
        assertThat(follower.canSend()).isTrue();
        assertThat(follower.progress().inflightAppends()).isZero();
    }

    @Test
    void aProbeNeverStartsAtOrBelowTheMatchIndex() {
        follower.matched(5, 0);
        follower.sent(6, 100, 0);

        follower.rejected(5, 2);

        assertThat(follower.nextIndex()).isEqualTo(6);
    }

    @Test
    void aRejectionBelowTheMatchIndexIsStale() {
        follower.matched(5, 0);
        follower.sent(6, 100, 0);

        assertThat(follower.rejected(4, 3)).isFalse();

        assertThat(follower.state()).isEqualTo(ReplicationState.REPLICATE);
        assertThat(follower.nextIndex()).isEqualTo(7);
    }

    @Test
    void whileProbingARejectionOfAnEarlierProbeIsStale() {
        follower.sent(9, 100, 0);
        follower.heardFrom(1);
        assertThat(follower.rejected(7, 6)).isTrue(); // the probe at prev 7 failed: now probing from 6
        follower.sent(6, 100, 0);

        assertThat(follower.rejected(7, 3)).isFalse(); // a duplicate of that first rejection

        assertThat(follower.nextIndex()).isEqualTo(6);
        assertThat(follower.canSend()).isFalse();
    }

    @Test
    void aRejectionOfTheCurrentProbeProbesLower() {
        follower.sent(9, 100, 0);

        assertThat(follower.rejected(7, 4)).isTrue();

        assertThat(follower.state()).isEqualTo(ReplicationState.PROBE);
        assertThat(follower.nextIndex()).isEqualTo(4);
        assertThat(follower.canSend()).isTrue();
    }

    @Test
    void anAppendUnansweredForTooLongSendsReplicationBackToProbingFromTheMatchIndex() {
        follower.matched(5, 0);
        follower.sent(6, 100, 0);
        follower.sent(7, 100, 1);

        follower.tick(LOST_AFTER_TICKS, LOST_AFTER_TICKS, SNAPSHOT_TIMEOUT_TICKS);
        assertThat(follower.state()).isEqualTo(ReplicationState.REPLICATE);
        follower.tick(LOST_AFTER_TICKS + 1, LOST_AFTER_TICKS, SNAPSHOT_TIMEOUT_TICKS);

        assertThat(follower.state()).isEqualTo(ReplicationState.PROBE);
        assertThat(follower.nextIndex()).isEqualTo(6);
        assertThat(follower.canSend()).isTrue();
    }

    @Test
    void aRejectionAtOrBelowTheMatchIndexOfARequestSentInALaterRoundProvesLostEntries() {
        follower.matched(5, 3);

        assertThat(follower.provesLostEntries(5, 4)).isTrue();
        assertThat(follower.provesLostEntries(2, 4)).isTrue();
    }

    @Test
    void aRejectionOfARequestFromTheRoundOfTheMatchOrEarlierProvesNothing() {
        follower.matched(5, 3);

        assertThat(follower.provesLostEntries(5, 3)).isFalse(); // may have been sent before the match
        assertThat(follower.provesLostEntries(4, 2)).isFalse();
    }

    @Test
    void aRejectionAboveTheMatchIndexProvesNothing() {
        follower.matched(5, 3);

        assertThat(follower.provesLostEntries(6, 4)).isFalse();
    }

    @Test
    void lostEntriesLowerTheMatchIndexAndProbeFromWhereTheFollowersLogNowEnds() {
        follower.matched(5, 3);
        follower.sent(6, 100, 0);

        LostEntries lost = follower.lostEntries(3, 2, 3, 4);

        assertThat(lost).isEqualTo(new LostEntries("n2", 3, 5));
        assertThat(follower.matchIndex()).isEqualTo(2);
        assertThat(follower.state()).isEqualTo(ReplicationState.PROBE);
        assertThat(follower.nextIndex()).isEqualTo(3);
        assertThat(follower.progress().inflightAppends()).isZero();
        assertThat(follower.progress())
                .extracting(
                        FollowerProgress::logRegressions, FollowerProgress::lastLostFrom, FollowerProgress::lastLostTo)
                .containsExactly(1L, 3L, 5L);
    }

    @Test
    void afterLostEntriesOnlyRequestsOfALaterRoundProveAnotherLoss() {
        follower.matched(5, 3);
        follower.lostEntries(3, 2, 3, 4);

        assertThat(follower.provesLostEntries(2, 4)).isFalse(); // sent before the loss was found
        assertThat(follower.provesLostEntries(2, 5)).isTrue();
    }

    @Test
    void progressReportsProbingOnlyInTheProbeState() {
        assertThat(follower.progress().probing()).isTrue();

        follower.matched(5, 0);

        assertThat(follower.progress().probing()).isFalse();
    }

    // ---- SNAPSHOT -------------------------------------------------------------------------

    @Test
    void nothingIsAppendedToAFollowerInstallingASnapshot() {
        follower.matched(5, 0);

        follower.snapshotSent(40);

        assertThat(follower.state()).isEqualTo(ReplicationState.SNAPSHOT);
        assertThat(follower.canSend()).isFalse();
        assertThat(follower.progress().installingSnapshot()).isTrue();
    }

    @Test
    void aMatchBelowTheSnapshotKeepsTheFollowerInstalling() {
        follower.snapshotSent(40);

        follower.matched(12, 1);

        assertThat(follower.state()).isEqualTo(ReplicationState.SNAPSHOT);
        assertThat(follower.matchIndex()).isEqualTo(12);
    }

    @Test
    void anAcknowledgedSnapshotResumesReplicatingJustPastIt() {
        follower.snapshotSent(40);

        follower.matched(40, 1);

        assertThat(follower.state()).isEqualTo(ReplicationState.REPLICATE);
        assertThat(follower.nextIndex()).isEqualTo(41);
        assertThat(follower.canSend()).isTrue();
    }

    @Test
    void aRejectionOfAnEarlierAppendIsIgnoredWhileInstalling() {
        follower.snapshotSent(40);

        assertThat(follower.rejected(7, 3)).isFalse();

        assertThat(follower.state()).isEqualTo(ReplicationState.SNAPSHOT);
    }

    @Test
    void aFailedTransferSendsTheFollowerBackToProbingFromItsMatch() {
        follower.matched(5, 0);
        follower.snapshotSent(40);

        assertThat(follower.snapshotFailed()).isTrue();

        assertThat(follower.state()).isEqualTo(ReplicationState.PROBE);
        assertThat(follower.nextIndex()).isEqualTo(6);
    }

    @Test
    void aTransferFailureReportedWhenNoSnapshotIsOutChangesNothing() {
        follower.matched(5, 0);

        assertThat(follower.snapshotFailed()).isFalse();

        assertThat(follower.state()).isEqualTo(ReplicationState.REPLICATE);
    }

    @Test
    void anUnacknowledgedSnapshotTimesOutBackToProbing() {
        follower.snapshotSent(40);

        for (long tick = 1; tick < SNAPSHOT_TIMEOUT_TICKS; tick++) {
            follower.tick(tick, LOST_AFTER_TICKS, SNAPSHOT_TIMEOUT_TICKS);
        }
        assertThat(follower.state()).isEqualTo(ReplicationState.SNAPSHOT);
        follower.tick(SNAPSHOT_TIMEOUT_TICKS, LOST_AFTER_TICKS, SNAPSHOT_TIMEOUT_TICKS);

        assertThat(follower.state()).isEqualTo(ReplicationState.PROBE);
        assertThat(follower.canSend()).isTrue();
    }
}
