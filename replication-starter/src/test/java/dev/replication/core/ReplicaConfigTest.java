package dev.replication.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplicaConfigTest {

    @Test
    void defaultsAreValid() {
        ReplicaConfig config = ReplicaConfig.withDefaults("n1", Set.of("n1", "n2", "n3"), 1);
        assertThat(config.electionTimeoutTicks()).isGreaterThanOrEqualTo(2 * config.heartbeatIntervalTicks());
    }

    @Test
    void nodeMustBeAmongTheVoters() {
        assertThatThrownBy(() -> ReplicaConfig.withDefaults("n4", Set.of("n1", "n2"), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'n4' is not among the voters")
                .hasMessageContaining("list every node, this one included");
    }

    @Test
    void electionTimeoutMustCoverTwoHeartbeats() {
        assertThatThrownBy(() -> new ReplicaConfig("n1", Set.of("n1"), 3, 2, 1, 1, 1, 10_000, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least twice heartbeatIntervalTicks")
                .hasMessageContaining("raise the election timeout");
    }

    @Test
    void pipelineBoundsMustBePositive() {
        assertThatThrownBy(() -> new ReplicaConfig("n1", Set.of("n1"), 10, 1, 0, 1, 1, 10_000, 1))
                .hasMessageContaining("maxInflightAppends must be >= 1");
        assertThatThrownBy(() -> new ReplicaConfig("n1", Set.of("n1"), 10, 1, 1, 0, 1, 10_000, 1))
                .hasMessageContaining("maxEntriesPerAppend must be >= 1");
        assertThatThrownBy(() -> new ReplicaConfig("n1", Set.of("n1"), 10, 1, 1, 1, 0, 10_000, 1))
                .hasMessageContaining("maxBytesPerAppend must be >= 1");
    }

    @Test
    void theSnapshotTimeoutDefaultsToThirtyElectionTimeouts() {
        ReplicaConfig config = new ReplicaConfig("n1", Set.of("n1"), 12, 1, 1, 1, 1, 10_000, 1);
        assertThat(config.snapshotTimeoutTicks()).isEqualTo(12 * ReplicaConfig.DEFAULT_SNAPSHOT_TIMEOUT_ELECTIONS);
        assertThat(config.withIncarnation(2).snapshotTimeoutTicks()).isEqualTo(config.snapshotTimeoutTicks());
    }

    @Test
    void theSnapshotTimeoutMustBePositive() {
        ReplicaConfig config = ReplicaConfig.withDefaults("n1", Set.of("n1"), 1);
        assertThatThrownBy(() -> config.withSnapshotTimeoutTicks(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshotTimeoutTicks must be >= 1");
    }
}
