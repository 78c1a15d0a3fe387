package dev.replication.core.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.core.Proposal;
import dev.replication.core.Role;
import dev.replication.testsupport.history.Operation;
import dev.replication.testsupport.history.OperationRecord;
import dev.replication.testsupport.history.Outcome;
import org.junit.jupiter.api.Test;

/** Scripted scenarios: campaign, deliver, partition, crash, pause, heal. */
class ReplicationScenarioTest {

    private final ClusterSimulation cluster = ClusterSimulation.scripted(3);

    private static Proposal.Accepted write(SimulatedNode node, String key, String value) {
        Proposal proposal = node.replica().propose(KeyValueStateMachine.write(key, value));
        assertThat(proposal).isInstanceOf(Proposal.Accepted.class);
        return (Proposal.Accepted) proposal;
    }

    @Test
    void aLeaderIsElectedAndAWriteIsAppliedOnEveryNode() {
        SimulatedNode leader = cluster.electLeader();
        write(leader, "x", "1");
        cluster.ticks(2 * ClusterSimulation.HEARTBEAT_INTERVAL);
        for (SimulatedNode node : cluster.nodes()) {
            assertThat(node.stateMachine().get("x")).as(node.id()).isEqualTo("1");
        }
    }

    @Test
    void aLeaderCutOffFromTheMajorityCommitsNothingAndItsEntryIsReplacedAfterHealing() {
        SimulatedNode oldLeader = cluster.electLeader();
        cluster.partition(oldLeader.id());
        Proposal.Accepted lost = write(oldLeader, "x", "from-old-leader");
        cluster.ticks(3 * ClusterSimulation.ELECTION_TIMEOUT);
        assertThat(oldLeader.replica().roleState().role()).as("check-quorum").isNotEqualTo(Role.LEADER);
        SimulatedNode newLeader = cluster.electLeader();
        assertThat(newLeader).isNotSameAs(oldLeader);
        write(newLeader, "x", "from-new-leader");
        cluster.heal();
        cluster.ticks(2 * ClusterSimulation.ELECTION_TIMEOUT);
        for (SimulatedNode node : cluster.nodes()) {
            assertThat(node.stateMachine().get("x")).as(node.id()).isEqualTo("from-new-leader");
        }
        assertThat(cluster.invariants().committed().get((int) lost.index() - 1).generation())
                .as("the old leader's entry was overwritten, never committed")
                .isNotEqualTo(lost.generation());
    }

    @Test
    void aNodeThatWasCutOffDoesNotDisruptAHealthyLeaderWhenItReturns() {
        SimulatedNode leader = cluster.electLeader();
        long generation = leader.replica().roleState().generation();
        SimulatedNode loner =
                cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        cluster.partition(loner.id());
        cluster.ticks(5 * ClusterSimulation.ELECTION_TIMEOUT);
        assertThat(loner.replica().roleState().generation())
                .as("pre-vote keeps the generation")
                .isEqualTo(generation);
        cluster.heal();
        cluster.ticks(2 * ClusterSimulation.ELECTION_TIMEOUT);
        assertThat(cluster.leader()).isSameAs(leader);
        assertThat(leader.replica().roleState().generation()).isEqualTo(generation);
    }

    @Test
    void aCrashedFollowerRestartsFromItsDurableLogAndCatchesUp() {
        SimulatedNode leader = cluster.electLeader();
        SimulatedNode follower =
                cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        write(leader, "x", "1");
        cluster.ticks(2);
        cluster.crash(follower.id());
        write(leader, "y", "2");
        cluster.ticks(2);
        cluster.restart(follower.id());
        cluster.ticks(2 * ClusterSimulation.ELECTION_TIMEOUT);
        assertThat(follower.stateMachine().snapshot()).containsEntry("x", "1").containsEntry("y", "2");
    }

    @Test
    void aLeaderPausedBeyondTheElectionTimeoutIsReplacedAndFollowsWhenItResumes() {
        SimulatedNode leader = cluster.electLeader();
        leader.pauseUntil(cluster.now() + 4 * ClusterSimulation.ELECTION_TIMEOUT);
        cluster.ticks(3 * ClusterSimulation.ELECTION_TIMEOUT);
        SimulatedNode successor = cluster.leader();
        assertThat(successor).isNotNull().isNotSameAs(leader);
        write(successor, "x", "after-pause");
        cluster.ticks(2 * ClusterSimulation.ELECTION_TIMEOUT);
        assertThat(leader.replica().roleState().role()).isEqualTo(Role.FOLLOWER);
        assertThat(leader.replica().roleState().leaderId()).isEqualTo(successor.id());
        assertThat(leader.stateMachine().get("x")).isEqualTo("after-pause");
    }

    @Test
    void aCrashedLeaderIsReplacedAndRejoinsAsAFollower() {
        SimulatedNode leader = cluster.electLeader();
        long generation = leader.replica().roleState().generation();
        cluster.crash(leader.id());
        cluster.ticks(3 * ClusterSimulation.ELECTION_TIMEOUT);
        SimulatedNode successor = cluster.leader();
        assertThat(successor).isNotNull();
        assertThat(successor.replica().roleState().generation()).isGreaterThan(generation);
        cluster.restart(leader.id());
        cluster.ticks(2 * ClusterSimulation.ELECTION_TIMEOUT);
        assertThat(cluster.leader()).isSameAs(successor);
    }

    @Test
    void aFollowerReadThroughALeaderDeposedDuringAPauseIsNeverStale() {
        ClusterSimulation five = ClusterSimulation.scripted(5);
        SimulatedNode oldLeader = five.electLeader();
        SimulatedNode follower =
                five.nodes().stream().filter(n -> n != oldLeader).findFirst().orElseThrow();
        write(oldLeader, "k0", "old");
        five.ticks(2);
        long resumeAt = five.now() + 4 * ClusterSimulation.ELECTION_TIMEOUT;
        oldLeader.pauseUntil(resumeAt);
        follower.pauseUntil(resumeAt);
        five.partition(oldLeader.id(), follower.id());
        five.ticks(3 * ClusterSimulation.ELECTION_TIMEOUT);
        SimulatedNode newLeader = five.leader();
        assertThat(newLeader).isNotNull().isNotIn(oldLeader, follower);
        write(newLeader, "k0", "new");
        five.ticks(2);
        assertThat(newLeader.stateMachine().get("k0")).isEqualTo("new");
        while (five.now() < resumeAt) {
            five.ticks(1);
        }
        // Both wake up still trusting each other; the client's write of "new" has completed.
        five.workload().linearizableReadAt(follower, "k0", five.now());
        five.ticks(3 * ClusterSimulation.ELECTION_TIMEOUT);
        OperationRecord read =
                five.workload().history().get(five.workload().history().size() - 1);
        assertThat(read.operation()).isEqualTo(new Operation.Read("k0"));
        if (read.outcome() == Outcome.OK) {
            assertThat(read.result()).isEqualTo("new");
        } else {
            assertThat(read.outcome()).isEqualTo(Outcome.FAILED);
        }
    }

    // ---- snapshots ----------------------------------------------------------------------

    @Test
    void aFollowerCutOffWhileTheOthersCompactCatchesUpByInstallingASnapshot() {
        ClusterSimulation compacting = ClusterSimulation.scripted(3, new SnapshotOptions(5, 30, false));
        SimulatedNode leader = compacting.electLeader();
        SimulatedNode loner =
                compacting.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        compacting.partition(loner.id());
        for (int i = 0; i < 20; i++) {
            write(leader, "k" + i, "v" + i);
            compacting.ticks(1);
        }
        assertThat(leader.durableLog().firstIndex()).as("the leader compacted").isGreaterThan(1);

        compacting.heal();
        compacting.ticks(3 * ClusterSimulation.ELECTION_TIMEOUT);

        assertThat(compacting.snapshotsInstalled()).isPositive();
        assertThat(loner.durableSnapshot()).isNotNull();
        assertThat(loner.stateMachine().snapshot())
                .isEqualTo(leader.stateMachine().snapshot());
        assertThat(loner.stateMachine().get("k19")).isEqualTo("v19");
    }

    @Test
    void aNodeRestartsFromItsDurableSnapshotThenReplaysItsLog() {
        ClusterSimulation compacting = ClusterSimulation.scripted(3, new SnapshotOptions(5, 30, false));
        SimulatedNode leader = compacting.electLeader();
        SimulatedNode follower =
                compacting.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        for (int i = 0; i < 12; i++) {
            write(leader, "k" + i, "v" + i);
            compacting.ticks(1);
        }
        compacting.ticks(2);
        assertThat(follower.durableSnapshot())
                .as("the follower took a snapshot")
                .isNotNull();
        long snapshotIndex = follower.durableSnapshot().index();

        compacting.crash(follower.id());
        compacting.restart(follower.id());

        assertThat(follower.stateMachine().appliedIndex())
                .as("restored, not replayed")
                .isEqualTo(snapshotIndex);
        assertThat(follower.replica().commitIndex()).isEqualTo(snapshotIndex);
        compacting.ticks(2 * ClusterSimulation.ELECTION_TIMEOUT);
        assertThat(follower.stateMachine().snapshot())
                .isEqualTo(leader.stateMachine().snapshot());
    }
}
