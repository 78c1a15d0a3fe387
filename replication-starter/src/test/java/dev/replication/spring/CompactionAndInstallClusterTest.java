package dev.replication.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.api.ReadConsistency;
import dev.replication.api.Replicated;
import dev.replication.api.ReplicatedMap;
import dev.replication.runtime.NodeStatus;
import dev.replication.runtime.ReplicationNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Three applications that checkpoint every 100 entries into their H2 stores and compact their
 * logs below each checkpoint: the logs stop growing from index 1, a restarted node starts from its
 * checkpoint, and a follower that was stopped while the others compacted past its log catches up
 * by a snapshot install.
 */
class CompactionAndInstallClusterTest {

    @TempDir
    Path dataRoot;

    Http2Cluster cluster;

    static class Items {
        @Replicated("items")
        ReplicatedMap<String, String> items;
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ItemApplication {
        @Bean
        Items items() {
            return new Items();
        }
    }

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private Http2Cluster startCluster() {
        Map<String, Object> compactOften = Map.of(
                "replication.checkpoint.every-entries", "100",
                "replication.checkpoint.log-margin-entries", "20",
                "replication.log.segment-size", "8KB");
        cluster = new Http2Cluster(dataRoot, List.of("n1", "n2", "n3"), ItemApplication.class);
        for (String node : List.of("n1", "n2", "n3")) {
            cluster.withNodeProperties(node, compactOften);
        }
        return cluster.startAll();
    }

    private NodeStatus status(String node) throws Exception {
        return cluster.bean(node, ReplicationNode.class).status().get(10, TimeUnit.SECONDS);
    }

    private void put(String leader, int from, int to) {
        ReplicatedMap<String, String> items = cluster.bean(leader, Items.class).items;
        for (int i = from; i < to; i++) {
            items.put("item-" + i, "value-" + i);
        }
    }

    @Test
    void logsAreCompactedBelowDurableCheckpointsOnEveryNode() throws Exception {
        startCluster();
        String leader = cluster.awaitLeader();

        put(leader, 0, 400);

        for (String node : List.of("n1", "n2", "n3")) {
            await().atMost(Http2Cluster.WAIT).untilAsserted(() -> {
                NodeStatus status = status(node);
                assertThat(status.snapshots().checkpointIndex()).isGreaterThanOrEqualTo(300);
                assertThat(status.firstIndex()).isGreaterThan(100);
            });
            assertThat(dataRoot.resolve(node).resolve("low-water-mark")).exists();
        }
    }

    @Test
    void aRestartedNodeStartsFromItsCheckpointAndKeepsEveryValue() throws Exception {
        startCluster();
        String leader = cluster.awaitLeader();
        put(leader, 0, 300);
        String follower = cluster.followers().get(0);
        await().atMost(Http2Cluster.WAIT)
                .until(() -> status(follower).snapshots().checkpointIndex() >= 200);

        cluster.stop(follower);
        cluster.start(follower);

        ReplicatedMap<String, String> items = cluster.bean(follower, Items.class).items;
        await().atMost(Http2Cluster.WAIT)
                .untilAsserted(
                        () -> assertThat(items.read(ReadConsistency.STALE).snapshot())
                                .hasSize(300)
                                .containsEntry("item-0", "value-0")
                                .containsEntry("item-299", "value-299"));
    }

    @Test
    void aFollowerLeftBehindTheLeadersCompactedLogCatchesUpByASnapshotInstall() throws Exception {
        startCluster();
        String leader = cluster.awaitLeader();
        put(leader, 0, 100);
        String behind = cluster.followers().get(0);
        long lastIndexWhenStopped = status(behind).lastIndex();
        cluster.stop(behind);

        put(leader, 100, 600);
        await().atMost(Http2Cluster.WAIT).until(() -> status(leader).firstIndex() > lastIndexWhenStopped + 1);
        cluster.start(behind);

        ReplicatedMap<String, String> items = cluster.bean(behind, Items.class).items;
        await().atMost(Http2Cluster.WAIT)
                .untilAsserted(
                        () -> assertThat(items.read(ReadConsistency.STALE).snapshot())
                                .hasSize(600)
                                .containsEntry("item-599", "value-599"));
        NodeStatus after = status(behind);
        assertThat(after.firstIndex())
                .as("its log restarted after the installed snapshot instead of replaying the leader's")
                .isGreaterThan(lastIndexWhenStopped + 1);
        try (var leftovers = Files.list(dataRoot.resolve(behind).resolve("snapshots"))) {
            assertThat(leftovers.filter(file -> file.toString().endsWith(".snap")))
                    .isEmpty();
        }
    }
}
