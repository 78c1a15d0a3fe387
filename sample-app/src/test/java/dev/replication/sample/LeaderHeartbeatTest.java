package dev.replication.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

import dev.replication.api.LeadershipGrantedEvent;
import dev.replication.api.LeadershipRevokedEvent;
import dev.replication.api.NotAppliedException;
import org.junit.jupiter.api.Test;

class LeaderHeartbeatTest {

    private final InMemoryReplicatedMap<LeaderHeartbeat.Beat> heartbeats =
            new InMemoryReplicatedMap<>("leader-heartbeat");
    private final LeaderHeartbeat job = new LeaderHeartbeat(heartbeats);

    @Test
    void writesNothingWhileThisNodeDoesNotLead() {
        job.beat();

        assertThat(heartbeats.get(LeaderHeartbeat.KEY)).isNull();
    }

    @Test
    void writesAHeartbeatStampedWithTheGrantedGeneration() {
        job.leadershipGranted(new LeadershipGrantedEvent("n1", 7));

        job.beat();

        assertThat(heartbeats.get(LeaderHeartbeat.KEY)).isEqualTo(new LeaderHeartbeat.Beat("n1", 7, 1));
    }

    @Test
    void countsTheBeatsOfOneGeneration() {
        job.leadershipGranted(new LeadershipGrantedEvent("n1", 7));

        job.beat();
        job.beat();

        assertThat(heartbeats.get(LeaderHeartbeat.KEY).beats()).isEqualTo(2);
    }

    @Test
    void stopsWritingOnceLeadershipIsRevoked() {
        job.leadershipGranted(new LeadershipGrantedEvent("n1", 7));
        job.beat();

        job.leadershipRevoked(new LeadershipRevokedEvent("n1", 7));
        job.beat();

        assertThat(heartbeats.get(LeaderHeartbeat.KEY).beats()).isEqualTo(1);
        assertThat(job.ledGeneration()).isZero();
    }

    @Test
    void aLateRevocationOfAnOlderGenerationDoesNotStopTheCurrentOne() {
        job.leadershipGranted(new LeadershipGrantedEvent("n1", 9));

        job.leadershipRevoked(new LeadershipRevokedEvent("n1", 7));
        job.beat();

        assertThat(heartbeats.get(LeaderHeartbeat.KEY).generation()).isEqualTo(9);
    }

    @Test
    void neverOverwritesTheHeartbeatOfANewerGeneration() {
        heartbeats.put(LeaderHeartbeat.KEY, new LeaderHeartbeat.Beat("n2", 8, 3));
        job.leadershipGranted(new LeadershipGrantedEvent("n1", 7));

        job.beat();

        assertThat(heartbeats.get(LeaderHeartbeat.KEY)).isEqualTo(new LeaderHeartbeat.Beat("n2", 8, 3));
    }

    @Test
    void aNewGenerationStartsCountingAgain() {
        heartbeats.put(LeaderHeartbeat.KEY, new LeaderHeartbeat.Beat("n2", 6, 40));
        job.leadershipGranted(new LeadershipGrantedEvent("n1", 7));

        job.beat();

        assertThat(heartbeats.get(LeaderHeartbeat.KEY)).isEqualTo(new LeaderHeartbeat.Beat("n1", 7, 1));
    }

    @Test
    void aFailedWriteIsLeftToTheNextRunInsteadOfFailingTheScheduler() {
        job.leadershipGranted(new LeadershipGrantedEvent("n1", 7));
        heartbeats.failNextWrite(new NotAppliedException("No quorum; retry shortly.", "n1"));

        assertThatNoException().isThrownBy(job::beat);
        job.beat();

        assertThat(heartbeats.get(LeaderHeartbeat.KEY)).isEqualTo(new LeaderHeartbeat.Beat("n1", 7, 1));
    }
}
