package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.core.LostEntries;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the node reports what the core found (the I/O effects are covered by the cluster tests). */
class NodeEffectsTest {

    private final List<String> regressions = new ArrayList<>();

    private final NodeMetrics metrics = new NodeMetrics() {
        @Override
        public void committed(long nanos) {}

        @Override
        public void persisted(int entries, long nanos) {}

        @Override
        public void electionStarted() {}

        @Override
        public void leaderChanged() {}

        @Override
        public void followerLogRegression(String follower) {
            regressions.add(follower);
        }
    };

    // Reporting touches only the metrics: no log, transport or state machine is needed.
    private final NodeEffects effects = new NodeEffects(
            null, null, null, null, null, null, metrics, event -> {}, role -> {}, () -> null, Snapshots.none());

    @Test
    void everyFollowerFoundToHaveLostEntriesIsCountedOnce() {
        effects.followerLostEntries(List.of(new LostEntries("n2", 41, 57), new LostEntries("n3", 9, 9)));

        assertThat(regressions).containsExactly("n2", "n3");
    }
}
