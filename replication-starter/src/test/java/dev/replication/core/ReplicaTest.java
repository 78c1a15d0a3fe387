package dev.replication.core;

import static dev.replication.core.ReplicaFixture.command;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of one replica, one per test, driven by hand. */
class ReplicaTest {

    private final ReplicaFixture n1 = new ReplicaFixture("n1", "n1", "n2", "n3");

    // ---- Generation Clock ---------------------------------------------------------------

    @Test
    void aHigherGenerationMakesALeaderStepDownAndAdoptIt() {
        n1.becomeLeader();
        n1.replica.receive(new AppendResponse("n2", "n1", 7, false, 0, 0, 0, 0));
        assertThat(n1.replica.roleState()).isEqualTo(new RoleState(Role.FOLLOWER, null, 7));
        assertThat(n1.sync().hardState()).isEqualTo(new HardState(7, null));
    }

    @Test
    void aLowerGenerationAppendIsRejectedWithTheCurrentGeneration() {
        n1.replica.receive(n1.append("n2", 3, 0, 0, 0));
        n1.sync();
        n1.replica.receive(n1.append("n3", 2, 0, 0, 0, command(1, 2)));
        Ready ready = n1.sync();
        AppendResponse response = n1.sent(ready, AppendResponse.class).get(0);
        assertThat(response.success()).isFalse();
        assertThat(response.generation()).isEqualTo(3);
        assertThat(n1.log.lastIndex()).isZero();
    }

    // ---- batching and commit propagation ----------------------------------------------

    @Test
    void aBatchOfProposalsTravelsAsOneAppendPerFollower() {
        ReplicaFixture n1 = new ReplicaFixture("n1", 4, 64, "n1", "n2", "n3");
        n1.becomeLeader();
        // Acknowledge the no-op so each follower's window is open and nothing is in flight.
        long noop = n1.log.lastIndex();
        long generation = n1.replica.roleState().generation();
        n1.replica.receive(new AppendResponse("n2", "n1", generation, true, noop, 0, 0, 1));
        n1.replica.receive(new AppendResponse("n3", "n1", generation, true, noop, 0, 0, 1));
        n1.sync();

        List<Proposal> proposals = n1.replica.propose(List.of(new byte[] {1}, new byte[] {2}, new byte[] {3}));
        Ready ready = n1.sync();

        assertThat(proposals).hasSize(3).allMatch(Proposal.Accepted.class::isInstance);
        List<AppendRequest> appends = n1.sent(ready, AppendRequest.class).stream()
                .filter(append -> !append.isHeartbeat())
                .toList();
        assertThat(appends).extracting(AppendRequest::to).containsExactlyInAnyOrder("n2", "n3");
        assertThat(appends).allSatisfy(append -> assertThat(append.entries()).hasSize(3));
    }

    @Test
    void aNewCommitIndexIsToldToEveryFollowerAtOnceNotAtTheNextHeartbeat() {
        n1.becomeLeader();
        long noop = n1.log.lastIndex();
        long generation = n1.replica.roleState().generation();

        n1.replica.receive(new AppendResponse("n2", "n1", generation, true, noop, 0, 0, 1));
        Ready ready = n1.sync();

        assertThat(n1.replica.commitIndex()).isEqualTo(noop);
        assertThat(n1.sent(ready, AppendRequest.class))
                .filteredOn(append -> append.commitIndex() == noop)
                .extracting(AppendRequest::to)
                .contains("n2", "n3");
    }

    // ---- election -----------------------------------------------------------------------

    @Test
    void aFollowerThatTimesOutAsksForPreVotesWithoutRaisingItsGeneration() {
        Ready ready = n1.timeOut();
        assertThat(n1.replica.roleState().role()).isEqualTo(Role.PRE_CANDIDATE);
        assertThat(n1.replica.roleState().generation()).isZero();
        assertThat(ready.hardState()).isNull();
        assertThat(n1.sent(ready, VoteRequest.class))
                .extracting(VoteRequest::to, VoteRequest::generation, VoteRequest::preVote)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("n2", 1L, true),
                        org.assertj.core.groups.Tuple.tuple("n3", 1L, true));
    }

    @Test
    void aPreVoteMajorityStartsACampaignWhoseRequestsLeaveAfterTheGenerationIsDurable() {
        n1.timeOut();
        n1.replica.receive(new VoteResponse("n2", "n1", 1, true, true));
        Ready ready = n1.replica.ready();
        assertThat(n1.replica.roleState().role()).isEqualTo(Role.CANDIDATE);
        assertThat(ready.hardState()).isEqualTo(new HardState(1, "n1"));
        assertThat(ready.messages()).isEmpty();
        assertThat(ready.messagesAfterPersist()).hasSize(2).allMatch(m -> m instanceof VoteRequest v && !v.preVote());
    }

    @Test
    void aVoteIsPersistedBeforeTheReplyLeaves() {
        n1.replica.receive(new VoteRequest("n2", "n1", 1, false, 0, 0));
        Ready ready = n1.replica.ready();
        assertThat(ready.hardState()).isEqualTo(new HardState(1, "n2"));
        assertThat(ready.messages()).isEmpty();
        assertThat(ready.messagesAfterPersist()).containsExactly(new VoteResponse("n1", "n2", 1, false, true));
    }

    @Test
    void oneVotePerGeneration() {
        n1.replica.receive(new VoteRequest("n2", "n1", 1, false, 0, 0));
        n1.sync();
        n1.replica.receive(new VoteRequest("n3", "n1", 1, false, 0, 0));
        Ready ready = n1.sync();
        assertThat(n1.sent(ready, VoteResponse.class)).containsExactly(new VoteResponse("n1", "n3", 1, false, false));
        assertThat(n1.hardState.votedFor()).isEqualTo("n2");
    }

    @Test
    void noVoteForACandidateWhoseLogIsLessUpToDate() {
        n1.replica.receive(n1.append("n2", 2, 0, 0, 0, command(1, 2)));
        n1.sync();
        n1.tick(3 * ReplicaFixture.ELECTION_TIMEOUT); // the leader is gone
        n1.sync();
        n1.replica.receive(new VoteRequest("n3", "n1", 3, false, 5, 1));
        Ready ready = n1.sync();
        assertThat(n1.sent(ready, VoteResponse.class))
                .extracting(VoteResponse::granted)
                .containsExactly(false);
    }

    @Test
    void aFollowerThatHearsFromALiveLeaderIgnoresVotesAndKeepsItsGeneration() {
        n1.replica.receive(n1.append("n2", 2, 0, 0, 0));
        n1.sync();
        n1.replica.receive(new VoteRequest("n3", "n1", 5, false, 9, 4));
        n1.replica.receive(new VoteRequest("n3", "n1", 5, true, 9, 4));
        Ready ready = n1.sync();
        assertThat(n1.sent(ready, VoteResponse.class)).isEmpty();
        assertThat(n1.replica.roleState()).isEqualTo(new RoleState(Role.FOLLOWER, "n2", 2));
    }

    @Test
    void aPreVoteChangesNothingOnTheVoter() {
        n1.replica.receive(new VoteRequest("n3", "n1", 4, true, 0, 0));
        Ready ready = n1.sync();
        assertThat(n1.sent(ready, VoteResponse.class)).containsExactly(new VoteResponse("n1", "n3", 4, true, true));
        assertThat(n1.replica.roleState().generation()).isZero();
        assertThat(ready.hardState()).isNull();
    }

    @Test
    void checkQuorumMakesALeaderThatHearsFromNoMajorityStepDown() {
        n1.becomeLeader();
        n1.tick(ReplicaFixture.ELECTION_TIMEOUT);
        assertThat(n1.replica.roleState().role()).isEqualTo(Role.FOLLOWER);
        assertThat(n1.replica.roleState().leaderId()).isNull();
    }

    @Test
    void aLeaderThatHearsFromAMajorityKeepsLeading() {
        n1.becomeLeader();
        for (int tick = 0; tick < 3 * ReplicaFixture.ELECTION_TIMEOUT; tick++) {
            n1.replica.tick();
            n1.replica.receive(new AppendResponse("n2", "n1", 1, true, 0, 0, 0, 0));
        }
        assertThat(n1.replica.roleState().role()).isEqualTo(Role.LEADER);
    }

    // ---- replication --------------------------------------------------------------------

    @Test
    void aNewLeaderAppendsANoopOfItsGeneration() {
        Ready ready = n1.becomeLeader();
        assertThat(ready.entries()).containsExactly(LogEntry.noop(1, 1));
        assertThat(n1.sent(ready, AppendRequest.class))
                .allMatch(a -> a.entries().equals(List.of(LogEntry.noop(1, 1))));
    }

    @Test
    void aFollowerAcknowledgesTheIndexItMatchedNotItsLastIndex() {
        n1.replica.receive(n1.append("n2", 1, 0, 0, 0, command(1, 1), command(2, 1), command(3, 1)));
        n1.sync();
        n1.replica.receive(n1.append("n2", 1, 0, 0, 0, command(1, 1))); // delayed duplicate
        Ready ready = n1.sync();
        AppendResponse response = n1.sent(ready, AppendResponse.class).get(0);
        assertThat(response.success()).isTrue();
        assertThat(response.matchIndex()).isEqualTo(1);
        assertThat(n1.log.lastIndex()).isEqualTo(3);
    }

    @Test
    void anAcknowledgementLeavesOnlyAfterTheEntriesAreDurable() {
        n1.replica.receive(n1.append("n2", 1, 0, 0, 0, command(1, 1)));
        Ready ready = n1.replica.ready();
        assertThat(ready.entries()).containsExactly(command(1, 1));
        assertThat(ready.messages()).isEmpty();
        assertThat(ready.messagesAfterPersist()).hasSize(1);
    }

    @Test
    void aRejectionCarriesAHintSoTheLeaderBacksUpByMoreThanOneEntry() {
        n1.replica.receive(n1.append("n2", 1, 0, 0, 0, command(1, 1)));
        n1.sync();
        n1.replica.receive(n1.append("n2", 1, 9, 1, 0, command(10, 1)));
        AppendResponse response = n1.sent(n1.sync(), AppendResponse.class).get(0);
        assertThat(response.success()).isFalse();
        assertThat(response.hintIndex()).isEqualTo(2);
        assertThat(response.hintGeneration()).isEqualTo(1);
    }

    @Test
    void aFollowerLearnsTheCommitIndexButAppliesOnlyDurableEntries() {
        n1.replica.receive(n1.append("n2", 1, 0, 0, 1, command(1, 1)));
        assertThat(n1.replica.commitIndex()).isEqualTo(1);
        Ready first = n1.sync();
        assertThat(first.committedEntries()).isEmpty();
        assertThat(n1.sync().committedEntries()).containsExactly(command(1, 1));
    }

    @Test
    void theLeaderCountsItselfOnlyForEntriesItHasPersisted() {
        n1.becomeLeader();
        n1.replica.propose(new byte[] {42});
        Ready ready = n1.replica.ready();
        n1.replica.advance(ready); // handed to the disk, not yet durable
        n1.replica.receive(new AppendResponse("n2", "n1", 1, true, 2, 0, 0, 0));
        assertThat(n1.replica.commitIndex()).isEqualTo(1); // the no-op, durable here and on n2
        n1.log.append(ready.entries());
        n1.replica.persisted(2, 1);
        assertThat(n1.replica.commitIndex()).isEqualTo(2);
    }

    @Test
    void aProposalOnAFollowerIsRejectedWithTheKnownLeader() {
        n1.replica.receive(n1.append("n2", 1, 0, 0, 0));
        Proposal proposal = n1.replica.propose(new byte[] {1});
        assertThat(proposal).isInstanceOf(Proposal.Rejected.class);
        assertThat(((Proposal.Rejected) proposal).leaderId()).isEqualTo("n2");
        assertThat(((Proposal.Rejected) proposal).reason()).contains("send the command to leader n2");
    }

    // ---- Request Pipeline ---------------------------------------------------------------

    @Test
    void thePipelineKeepsAtMostMaxInflightAppendsToAFollower() {
        n1.becomeLeader();
        n1.replica.receive(new AppendResponse("n2", "n1", 1, true, 1, 0, 0, 0)); // streaming from here
        n1.sync();
        for (int i = 0; i < 10; i++) {
            n1.replica.propose(new byte[] {(byte) i});
        }
        List<AppendRequest> toN2 = n1.sent(n1.sync(), AppendRequest.class).stream()
                .filter(a -> a.to().equals("n2"))
                .toList();
        assertThat(toN2).hasSize(2).allMatch(a -> a.entries().size() <= 2);
        assertThat(n1.replica.progress().get("n2").inflightAppends()).isEqualTo(2);
    }

    @Test
    void heartbeatsAreSentWhenTheWindowIsFull() {
        n1.becomeLeader();
        n1.replica.receive(new AppendResponse("n2", "n1", 1, true, 1, 0, 0, 0));
        for (int i = 0; i < 10; i++) {
            n1.replica.propose(new byte[] {(byte) i});
        }
        n1.sync();
        n1.tick(ReplicaFixture.HEARTBEAT_INTERVAL);
        assertThat(n1.sent(n1.sync(), AppendRequest.class)).anyMatch(a -> a.to().equals("n2") && a.isHeartbeat());
    }

    @Test
    void aRejectionSendsTheLeaderBackToProbingFromTheHint() {
        n1.becomeLeader();
        n1.replica.receive(new AppendResponse("n2", "n1", 1, false, 0, 1, 0, 0));
        FollowerProgress progress = n1.replica.progress().get("n2");
        assertThat(progress.probing()).isTrue();
        assertThat(progress.nextIndex()).isEqualTo(1);
        assertThat(progress.inflightAppends()).isZero();
    }
}
