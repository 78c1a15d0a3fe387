package dev.replication.core;

import static dev.replication.core.ReplicaFixture.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.core.simulation.MemoryLog;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Snapshots in one replica: its base after a restart, compaction, and installs on both sides. */
class ReplicaSnapshotTest {

    private final ReplicaFixture n1 = new ReplicaFixture("n1", "n1", "n2", "n3");

    // ---- base and compaction ------------------------------------------------------------

    @Test
    void aReplicaRestoredFromASnapshotCommitsItAndAppliesOnlyWhatFollows() {
        MemoryLog empty = new MemoryLog();
        empty.resetAfter(10, 0);
        ReplicaFixture restored = ReplicaFixture.restoredFrom("n1", new SnapshotMeta(10, 2), empty, "n1", "n2", "n3");
        assertThat(restored.replica.commitIndex()).isEqualTo(10);

        restored.replica.receive(restored.append("n2", 2, 10, 2, 11, command(11, 2)));
        restored.sync();

        assertThat(restored.sync().committedEntries()).containsExactly(command(11, 2));
    }

    @Test
    void compactionPastWhatWasHandedOutToApplyIsRefused() {
        n1.replica.receive(n1.append("n2", 1, 0, 0, 2, command(1, 1), command(2, 1), command(3, 1)));
        n1.sync();
        n1.sync(); // entries 1..2 handed out to apply

        assertThatThrownBy(() -> n1.replica.compact(3, 1, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only entries up to 2 were handed out to apply");
    }

    @Test
    void compactionBelowTheCurrentSnapshotIsRefused() {
        n1.replica.receive(n1.append("n2", 1, 0, 0, 3, command(1, 1), command(2, 1), command(3, 1)));
        n1.sync();
        n1.sync();
        n1.compact(3, 4);

        assertThatThrownBy(() -> n1.replica.compact(2, 1, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("below the current snapshot at 3");
    }

    // ---- the follower's side ------------------------------------------------------------

    @Test
    void aStaleInstallIsRejectedLikeAStaleAppend() {
        n1.replica.receive(n1.append("n2", 3, 0, 0, 0));
        n1.sync();

        n1.replica.receive(new InstallSnapshot("n3", "n1", 2, 50, 2));
        Ready ready = n1.sync();

        assertThat(ready.snapshotToInstall()).isNull();
        assertThat(n1.sent(ready, AppendResponse.class))
                .containsExactly(new AppendResponse("n1", "n3", 3, false, 50, 0, 0, 0));
        assertThat(n1.replica.commitIndex()).isZero();
    }

    @Test
    void anInstallAtOrBelowTheCommitIndexIsRefusedWithWhereTheLogSurelyMatches() {
        n1.replica.receive(n1.append("n2", 1, 0, 0, 3, command(1, 1), command(2, 1), command(3, 1), command(4, 1)));
        n1.sync();

        n1.replica.receive(new InstallSnapshot("n2", "n1", 1, 3, 1));
        Ready ready = n1.sync();

        assertThat(ready.snapshotToInstall()).isNull();
        assertThat(ready.messagesAfterPersist()).containsExactly(new AppendResponse("n1", "n2", 1, true, 3, 0, 0, 0));
        assertThat(n1.log.lastIndex()).isEqualTo(4);
        assertThat(n1.replica.commitIndex()).isEqualTo(3);
    }

    @Test
    void anInstallOverAMatchingDurableEntryKeepsTheSuffixAndIsAcknowledgedOnceDurable() {
        n1.replica.receive(n1.append("n2", 1, 0, 0, 0, command(1, 1), command(2, 1), command(3, 1), command(4, 1)));
        n1.sync();

        n1.replica.receive(new InstallSnapshot("n2", "n1", 1, 2, 1));
        Ready ready = n1.replica.ready();

        assertThat(ready.snapshotToInstall()).isEqualTo(new SnapshotInstall(2, 1, true));
        assertThat(ready.messages()).isEmpty();
        assertThat(ready.messagesAfterPersist()).containsExactly(new AppendResponse("n1", "n2", 1, true, 2, 0, 0, 0));
        assertThat(n1.replica.commitIndex()).isEqualTo(2);
        assertThat(n1.replica.log().lastIndex()).isEqualTo(4);
    }

    @Test
    void anInstallOverAnEntryOfAnotherGenerationDiscardsTheLog() {
        n1.replica.receive(n1.append("n2", 1, 0, 0, 0, command(1, 1), command(2, 1), command(3, 1)));
        n1.sync();

        n1.replica.receive(new InstallSnapshot("n3", "n1", 2, 2, 2));
        Ready ready = n1.sync();

        assertThat(ready.snapshotToInstall()).isEqualTo(new SnapshotInstall(2, 2, false));
        assertThat(n1.replica.log().lastIndex()).isEqualTo(2);
        assertThat(n1.log.lastIndex()).isEqualTo(2); // the fixture's driver discarded its stored log
        assertThat(n1.replica.roleState()).isEqualTo(new RoleState(Role.FOLLOWER, "n3", 2));
    }

    @Test
    void committedEntriesAfterAnInstallStartJustPastTheSnapshot() {
        n1.replica.receive(new InstallSnapshot("n2", "n1", 1, 5, 1));
        Ready install = n1.sync();
        assertThat(install.committedEntries()).isEmpty();

        n1.replica.receive(n1.append("n2", 1, 5, 1, 7, command(6, 1), command(7, 1)));
        n1.sync();

        assertThat(n1.sync().committedEntries()).containsExactly(command(6, 1), command(7, 1));
    }

    // ---- the leader's side --------------------------------------------------------------

    /**
     * n1 leads with entries 1..6 committed and applied (n2 acknowledged them), n3 has
     * acknowledged only the no-op, and n1 has compacted up to 5, keeping only 6.
     */
    private long leadWithCompactedLog() {
        n1.becomeLeader();
        long generation = n1.replica.roleState().generation();
        n1.replica.receive(new AppendResponse("n3", "n1", generation, true, 1, 0, 0, 0));
        n1.sync();
        n1.replica.propose(List.of(new byte[] {2}, new byte[] {3}, new byte[] {4}, new byte[] {5}, new byte[] {6}));
        n1.sync();
        n1.replica.receive(new AppendResponse("n2", "n1", generation, true, 6, 0, 0, 1));
        n1.sync();
        n1.sync();
        n1.compact(5, 6);
        return generation;
    }

    @Test
    void aFollowerNeedingCompactedEntriesIsSentTheSnapshot() {
        long generation = leadWithCompactedLog();

        n1.replica.receive(new AppendResponse("n3", "n1", generation, false, 1, 2, 1, 0));
        Ready ready = n1.sync();

        assertThat(n1.sent(ready, InstallSnapshot.class))
                .containsExactly(new InstallSnapshot("n1", "n3", generation, 5, generation));
        assertThat(n1.replica.progress().get("n3").installingSnapshot()).isTrue();
    }

    @Test
    void nothingIsAppendedToAFollowerInstallingASnapshotButHeartbeatsReadNothingCompacted() {
        long generation = leadWithCompactedLog();
        n1.replica.receive(new AppendResponse("n3", "n1", generation, false, 1, 2, 1, 0));
        n1.sync();

        n1.replica.propose(new byte[] {7});
        n1.tick(ReplicaFixture.HEARTBEAT_INTERVAL);
        Ready ready = n1.sync(); // entries 1..5 are gone from the fixture's log: a read would throw

        List<AppendRequest> toN3 = n1.sent(ready, AppendRequest.class).stream()
                .filter(append -> append.to().equals("n3"))
                .toList();
        assertThat(toN3).isNotEmpty().allMatch(AppendRequest::isHeartbeat);
        assertThat(toN3).extracting(AppendRequest::prevIndex).containsOnly(0L);
    }

    @Test
    void theSnapshotsAcknowledgementResumesAppendingJustPastIt() {
        long generation = leadWithCompactedLog();
        n1.replica.receive(new AppendResponse("n3", "n1", generation, false, 1, 2, 1, 0));
        n1.sync();

        n1.replica.receive(new AppendResponse("n3", "n1", generation, true, 5, 0, 0, 0));
        Ready ready = n1.sync();

        assertThat(n1.replica.progress().get("n3").installingSnapshot()).isFalse();
        assertThat(n1.sent(ready, AppendRequest.class))
                .filteredOn(append -> append.to().equals("n3") && !append.isHeartbeat())
                .extracting(AppendRequest::prevIndex)
                .containsExactly(5L);
    }

    @Test
    void aFailedTransferProbesAgainAndTheSnapshotIsSentAnewAtTheNextAnswer() {
        long generation = leadWithCompactedLog();
        n1.replica.receive(new AppendResponse("n3", "n1", generation, false, 1, 2, 1, 0));
        n1.sync();

        n1.replica.snapshotSendFailed("n3");
        assertThat(n1.replica.progress().get("n3").probing()).isTrue();
        n1.replica.receive(new AppendResponse("n3", "n1", generation, true, 0, 0, 0, 2)); // a heartbeat's answer
        Ready ready = n1.sync();

        assertThat(n1.sent(ready, InstallSnapshot.class))
                .extracting(InstallSnapshot::to)
                .containsExactly("n3");
    }

    @Test
    void anUnacknowledgedSnapshotTimesOutSoALostInstallNeverWedgesTheFollower() {
        long generation = leadWithCompactedLog();
        n1.replica.receive(new AppendResponse("n3", "n1", generation, false, 1, 2, 1, 0));
        n1.sync();

        int timeout = ReplicaFixture.ELECTION_TIMEOUT * ReplicaConfig.DEFAULT_SNAPSHOT_TIMEOUT_ELECTIONS;
        for (int tick = 0; tick < timeout; tick++) {
            n1.replica.tick();
            n1.replica.receive(new AppendResponse("n2", "n1", generation, true, 6, 0, 0, 0)); // keeps n1 leading
        }

        assertThat(n1.replica.roleState().role()).isEqualTo(Role.LEADER);
        assertThat(n1.replica.progress().get("n3").installingSnapshot()).isFalse();
        assertThat(n1.replica.progress().get("n3").probing()).isTrue();
    }
}
