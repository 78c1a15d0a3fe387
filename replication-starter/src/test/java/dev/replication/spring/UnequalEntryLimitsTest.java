package dev.replication.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.api.ReadConsistency;
import dev.replication.api.Replicated;
import dev.replication.api.ReplicatedMap;
import dev.replication.runtime.ReplicationNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * A follower configured with smaller map limits than its leader (a rolling change of
 * replication.map.max-value-size, or one node configured by mistake) still stores every entry the
 * leader sends it: its own limits bound what it proposes, never what it replicates.
 */
class UnequalEntryLimitsTest {

    @TempDir
    Path dataRoot;

    Http2Cluster cluster;

    static class Documents {
        @Replicated("documents")
        ReplicatedMap<String, String> documents;
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class DocumentApplication {
        @Bean
        Documents documents() {
            return new Documents();
        }
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    @Test
    void aFollowerWithSmallerValueLimitsStoresALargerEntryFromItsLeaderAndKeepsRunning() {
        cluster = new Http2Cluster(dataRoot, List.of("n1", "n2", "n3"), DocumentApplication.class)
                .withNodeProperties("n3", Map.of("replication.map.max-value-size", "1KB"));
        // n3 starts once n1 and n2 have a leader, so the leader is one of them.
        cluster.start("n1");
        cluster.start("n2");
        String leader = cluster.awaitLeader();
        cluster.start("n3");
        String large = "x".repeat(64 * 1024);

        cluster.bean(leader, Documents.class).documents.put("report", large);

        ReplicatedMap<String, String> onN3 = cluster.bean("n3", Documents.class).documents;
        await().atMost(Http2Cluster.WAIT)
                .untilAsserted(() -> assertThat(onN3.read(ReadConsistency.STALE).get("report"))
                        .isEqualTo(large));
        assertThat(cluster.bean("n3", ReplicationNode.class).failure()).isNull();
    }
}
