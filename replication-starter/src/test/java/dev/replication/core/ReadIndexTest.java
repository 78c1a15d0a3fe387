package dev.replication.core;

import static dev.replication.core.ReplicaFixture.INCARNATION;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Linearizable reads (read index) and Follower Reads, one rule per test. */
class ReadIndexTest {

    private static final long N3_INCARNATION = 77;

    private final ReplicaFixture n1 = new ReplicaFixture("n1", "n1", "n2", "n3");

    /** Elects n1 and commits its no-op with n2's acknowledgement. */
    private void leaderWithCommittedNoop() {
        n1.becomeLeader();
        n1.replica.receive(new AppendResponse("n2", "n1", 1, true, 1, 0, 0, 0));
        n1.sync();
        assertThat(n1.replica.commitIndex()).isEqualTo(1);
    }

    private long currentRound() {
        List<AppendRequest> heartbeats = n1.sent(n1.sync(), AppendRequest.class).stream()
                .filter(AppendRequest::isHeartbeat)
                .toList();
        return heartbeats.get(heartbeats.size() - 1).round();
    }

    private void acknowledge(String from, long round) {
        n1.replica.receive(new AppendResponse(from, "n1", 1, true, 1, 0, 0, round));
    }

    @Test
    void aReadBeforeTheLeadersNoopCommitsIsRejected() {
        n1.becomeLeader();
        n1.replica.readIndex(7);
        Ready ready = n1.sync();
        assertThat(ready.readStates()).isEmpty();
        assertThat(ready.readRejections())
                .singleElement()
                .satisfies(r -> assertThat(r.reason()).contains("has not yet committed an entry of its generation"));
    }

    @Test
    void aReadIsReleasedOnlyAfterAMajorityAcknowledgesAHeartbeatSentAfterIt() {
        leaderWithCommittedNoop();
        n1.replica.readIndex(7);
        long round = currentRound();
        assertThat(n1.replica.ready().readStates()).isEmpty();
        acknowledge("n2", round);
        assertThat(n1.sync().readStates()).containsExactly(new ReadState(7, 1));
    }

    @Test
    void anAcknowledgementOfAHeartbeatSentBeforeTheReadDoesNotConfirmIt() {
        leaderWithCommittedNoop();
        n1.tick(ReplicaFixture.HEARTBEAT_INTERVAL);
        long before = currentRound();
        n1.replica.readIndex(7);
        acknowledge("n2", before);
        acknowledge("n3", before);
        assertThat(n1.sync().readStates()).isEmpty();
    }

    @Test
    void aRejectionOfARequestFromThisNodesOlderLeadershipConfirmsNoRead() {
        leaderWithCommittedNoop();
        n1.replica.readIndex(7);
        n1.sync();
        // n2 answers, at our generation, a delayed request from an older leadership of n1.
        n1.replica.receive(new AppendResponse("n2", "n1", 1, false, 3, 0, 0, 0));
        n1.replica.receive(new AppendResponse("n3", "n1", 1, false, 3, 0, 0, 0));
        assertThat(n1.sync().readStates()).isEmpty();
    }

    @Test
    void aStaleAppendIsRejectedWithoutEchoingItsRound() {
        n1.replica.receive(n1.append("n2", 3, 0, 0, 0));
        n1.sync();
        n1.replica.receive(new AppendRequest("n3", "n1", 2, 0, 0, List.of(), 0, 42));
        AppendResponse response = n1.sent(n1.sync(), AppendResponse.class).get(0);
        assertThat(response.round()).isZero();
        assertThat(response.hintIndex()).isZero();
        assertThat(response.generation()).isEqualTo(3);
    }

    @Test
    void readsRegisteredWhileARoundIsInFlightShareTheNextRound() {
        leaderWithCommittedNoop();
        n1.replica.readIndex(1);
        long first = currentRound();
        n1.replica.readIndex(2);
        n1.replica.readIndex(3);
        assertThat(n1.sent(n1.sync(), AppendRequest.class))
                .as("no round per read")
                .isEmpty();
        acknowledge("n2", first);
        Ready afterFirst = n1.sync();
        assertThat(afterFirst.readStates()).extracting(ReadState::requestId).containsExactly(1L);
        long second = n1.sent(afterFirst, AppendRequest.class).get(0).round();
        acknowledge("n3", second);
        assertThat(n1.sync().readStates()).extracting(ReadState::requestId).containsExactly(2L, 3L);
    }

    @Test
    void aReadNotesTheCommitIndexWhenItIsRegistered() {
        leaderWithCommittedNoop();
        n1.replica.propose(new byte[] {1});
        n1.sync();
        n1.replica.readIndex(7);
        long round = currentRound();
        n1.replica.receive(new AppendResponse("n2", "n1", 1, true, 2, 0, 0, round));
        assertThat(n1.sync().readStates()).containsExactly(new ReadState(7, 1));
    }

    @Test
    void aLeaderThatStepsDownRejectsItsPendingReadsWithTheNewLeader() {
        leaderWithCommittedNoop();
        n1.replica.readIndex(7);
        n1.sync();
        n1.replica.receive(new AppendRequest("n3", "n1", 2, 1, 1, List.of(), 1, 1));
        assertThat(n1.sync().readRejections())
                .singleElement()
                .satisfies(r -> assertThat(r.leaderId()).isEqualTo("n3"));
    }

    @Test
    void aClusterOfOneServesAReadWithoutWaiting() {
        ReplicaFixture alone = new ReplicaFixture("solo", "solo");
        alone.timeOut();
        alone.sync();
        assertThat(alone.replica.roleState().role()).isEqualTo(Role.LEADER);
        alone.replica.readIndex(9);
        assertThat(alone.sync().readStates()).containsExactly(new ReadState(9, 1));
    }

    @Test
    void aReadOnANodeThatKnowsNoLeaderIsRejectedAtOnce() {
        n1.timeOut();
        n1.replica.readIndex(7);
        assertThat(n1.sync().readRejections())
                .singleElement()
                .satisfies(r -> assertThat(r.reason()).contains("knows no leader"));
    }

    // ---- Follower Reads -----------------------------------------------------------------

    @Test
    void aFollowerReadAsksTheLeaderAndServesAtTheIndexItGets() {
        n1.replica.receive(n1.append("n2", 1, 0, 0, 0, ReplicaFixture.command(1, 1)));
        n1.sync();
        n1.replica.readIndex(5);
        assertThat(n1.sent(n1.sync(), ReadIndexRequest.class))
                .containsExactly(new ReadIndexRequest("n1", "n2", 1, 5, INCARNATION));
        n1.replica.receive(new ReadIndexResponse("n2", "n1", 1, 5, INCARNATION, true, 1));
        assertThat(n1.sync().readStates()).containsExactly(new ReadState(5, 1));
    }

    @Test
    void anAnswerToARequestOfAnEarlierProcessIsNotTakenForTheAnswerToANewOne() {
        n1.replica.receive(n1.append("n2", 1, 0, 0, 0, ReplicaFixture.command(1, 1)));
        n1.sync();
        n1.replica.readIndex(5); // this process's request 5; the process before also had a request 5

        n1.replica.receive(new ReadIndexResponse("n2", "n1", 1, 5, INCARNATION + 1, true, 1));

        assertThat(n1.sync().readStates()).isEmpty();
        n1.replica.receive(new ReadIndexResponse("n2", "n1", 1, 5, INCARNATION, true, 1));
        assertThat(n1.sync().readStates()).containsExactly(new ReadState(5, 1));
    }

    @Test
    void aFollowerTooFarBehindTheReadIndexFailsTheReadFast() {
        n1.replica.receive(n1.append("n2", 1, 0, 0, 0));
        n1.replica.readIndex(5);
        n1.sync();
        n1.replica.receive(new ReadIndexResponse("n2", "n1", 1, 5, INCARNATION, true, 100));
        assertThat(n1.sync().readRejections())
                .singleElement()
                .satisfies(r -> assertThat(r.reason()).contains("100 entries behind the read index"));
    }

    @Test
    void aForwardedReadTheLeaderDoesNotAnswerFailsAfterAnElectionTimeout() {
        n1.replica.receive(n1.append("n2", 1, 0, 0, 0));
        n1.replica.readIndex(5);
        n1.sync();
        for (int tick = 0; tick < ReplicaFixture.ELECTION_TIMEOUT - 1; tick++) {
            n1.replica.tick();
            n1.replica.receive(n1.append("n2", 1, 0, 0, 0)); // the leader is alive but the answer is lost
        }
        assertThat(n1.sync().readRejections()).isEmpty();
        n1.replica.tick();
        assertThat(n1.sync().readRejections())
                .singleElement()
                .satisfies(r -> assertThat(r.reason()).contains("no read index from the leader"));
    }

    @Test
    void theLeaderAnswersAFollowersReadIndexRequestOnlyAfterAConfirmationRound() {
        leaderWithCommittedNoop();
        n1.replica.receive(new ReadIndexRequest("n3", "n1", 1, 44, N3_INCARNATION));
        Ready ready = n1.sync();
        assertThat(n1.sent(ready, ReadIndexResponse.class)).isEmpty();
        long round = n1.sent(ready, AppendRequest.class).get(0).round();
        acknowledge("n2", round);
        assertThat(n1.sent(n1.sync(), ReadIndexResponse.class))
                .containsExactly(new ReadIndexResponse("n1", "n3", 1, 44, N3_INCARNATION, true, 1));
    }

    @Test
    void aReadIndexRequestToALeaderWithoutACommittedNoopIsRefused() {
        n1.becomeLeader();
        n1.replica.receive(new ReadIndexRequest("n3", "n1", 1, 44, N3_INCARNATION));
        assertThat(n1.sent(n1.sync(), ReadIndexResponse.class))
                .containsExactly(new ReadIndexResponse("n1", "n3", 1, 44, N3_INCARNATION, false, 0));
    }
}
