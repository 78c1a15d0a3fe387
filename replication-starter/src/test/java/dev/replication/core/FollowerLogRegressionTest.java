package dev.replication.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A follower that comes back with a log shorter than what it acknowledged (fsync-policy=interval
 * and a power loss): the leader notices from its answers, probes from where its log now ends
 * and replicates the lost entries again, without moving the High-Water Mark back.
 */
class FollowerLogRegressionTest {

    private static final int COMMANDS = 10;

    private final ReplicaFixture n1 = new ReplicaFixture("n1", "n1", "n2", "n3");
    private ReplicaFixture n2 = new ReplicaFixture("n2", "n1", "n2", "n3");
    /** Effects the leader handed out, across every exchange. */
    private final List<Ready> leaderReadies = new ArrayList<>();

    /** n1 leads with n2 (n3 is silent) and has replicated the no-op and ten commands to n2. */
    private long leaderWithAFollowerThatAcknowledgedEverything() {
        n1.becomeLeader(); // its first appends are not delivered: a heartbeat starts the exchange
        heartbeatsAndExchange(1);
        for (int i = 0; i < COMMANDS; i++) {
            n1.replica.propose(new byte[] {(byte) i});
        }
        exchange();
        long last = n1.log.lastIndex();
        assertThat(n1.replica.progress().get("n2").matchIndex()).isEqualTo(last);
        assertThat(n1.replica.commitIndex()).isEqualTo(last);
        return last;
    }

    @Test
    void aFollowerThatLostAcknowledgedEntriesIsProbedFromWhereItsLogNowEndsAndCaughtUp() {
        long last = leaderWithAFollowerThatAcknowledgedEverything();

        n2 = n2.restartedKeeping(4);
        heartbeatsAndExchange(3);

        assertThat(n2.log.lastIndex()).isEqualTo(last);
        assertThat(n1.replica.progress().get("n2").matchIndex()).isEqualTo(last);
        assertThat(n1.replica.progress().get("n2").probing()).isFalse();
    }

    @Test
    void theLeaderReportsTheLostRangeOnceAndShowsItInTheFollowersProgress() {
        long last = leaderWithAFollowerThatAcknowledgedEverything();
        leaderReadies.clear();

        n2 = n2.restartedKeeping(4);
        heartbeatsAndExchange(3);

        assertThat(leaderReadies).flatExtracting(Ready::lostEntries).containsExactly(new LostEntries("n2", 5, last));
        FollowerProgress progress = n1.replica.progress().get("n2");
        assertThat(progress.logRegressions()).isEqualTo(1);
        assertThat(progress.lastLostFrom()).isEqualTo(5);
        assertThat(progress.lastLostTo()).isEqualTo(last);
    }

    @Test
    void theHighWaterMarkStaysWhereItWasWhileTheFollowerCatchesUp() {
        long last = leaderWithAFollowerThatAcknowledgedEverything();

        n2 = n2.restartedKeeping(4);
        n1.tick(ReplicaFixture.HEARTBEAT_INTERVAL);
        deliverToN2(n1.sync());
        deliverToN1(n2.sync()); // the rejection that proves the loss

        assertThat(n1.replica.progress().get("n2").matchIndex()).isEqualTo(4);
        assertThat(n1.replica.commitIndex()).isEqualTo(last);
    }

    @Test
    void aLateRejectionOfARequestSentBeforeTheMatchProvesNothing() {
        n1.becomeLeader();
        long generation = n1.replica.roleState().generation();
        // n2 first rejects the leader's first append (its log was empty) and then, once the leader
        // probed lower, acknowledges; a duplicate of that first rejection arrives after the match.
        AppendResponse rejection = new AppendResponse("n2", "n1", generation, false, 1, 1, 0, 0);
        n1.replica.receive(new AppendResponse("n2", "n1", generation, true, 1, 0, 0, 0));
        n1.replica.receive(rejection);

        assertThat(n1.sync().lostEntries()).isEmpty();
        assertThat(n1.replica.progress().get("n2").matchIndex()).isEqualTo(1);
        assertThat(n1.replica.progress().get("n2").logRegressions()).isZero();
    }

    private void heartbeatsAndExchange(int heartbeats) {
        for (int i = 0; i < heartbeats; i++) {
            n1.tick(ReplicaFixture.HEARTBEAT_INTERVAL);
            exchange();
        }
    }

    /** Delivers between n1 and n2 until both are quiet (n3 hears nothing); bounded. */
    private void exchange() {
        for (int round = 0; round < 50; round++) {
            Ready fromLeader = n1.sync();
            Ready fromFollower = n2.sync();
            if (fromLeader.isEmpty() && fromFollower.isEmpty()) {
                return;
            }
            deliverToN2(fromLeader);
            deliverToN1(fromFollower);
        }
        throw new AssertionError("n1 and n2 kept exchanging messages after 50 rounds");
    }

    private void deliverToN2(Ready fromLeader) {
        leaderReadies.add(fromLeader);
        for (Message message : ReplicaFixture.sent(fromLeader)) {
            if (message.to().equals("n2")) {
                n2.replica.receive(message);
            }
        }
    }

    private void deliverToN1(Ready fromFollower) {
        for (Message message : ReplicaFixture.sent(fromFollower)) {
            n1.replica.receive(message);
        }
    }
}
