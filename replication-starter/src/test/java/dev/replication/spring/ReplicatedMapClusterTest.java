package dev.replication.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.replication.api.ReadConsistency;
import dev.replication.api.Replicated;
import dev.replication.api.ReplicatedMap;
import dev.replication.api.VersionConflictException;
import dev.replication.api.Versioned;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/** {@code @Replicated} maps used by three applications that replicate over HTTP/2. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicatedMapClusterTest {

    @TempDir
    static Path dataRoot;

    Http2Cluster cluster;

    static class Store {
        @Replicated("counters")
        ReplicatedMap<String, Long> counters;

        @Replicated("items")
        ReplicatedMap<String, String> items;
    }

    /** A job that must run on one node at a time. */
    static class Janitor {
        @org.springframework.beans.factory.annotation.Autowired
        dev.replication.api.Leadership leadership;

        @dev.replication.api.LeaderOnly
        public Long sweep() {
            return leadership.generation();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class StoreApplication {
        @Bean
        Store store() {
            return new Store();
        }

        @Bean
        Janitor janitor() {
            return new Janitor();
        }
    }

    @BeforeAll
    void startCluster() {
        cluster = new Http2Cluster(dataRoot, List.of("n1", "n2", "n3"), StoreApplication.class).startAll();
    }

    @AfterAll
    void stopCluster() {
        cluster.close();
    }

    Store store(String node) {
        return cluster.bean(node, Store.class);
    }

    @Test
    void aWriteOnOneFollowerIsVisibleToALinearizableReadOnTheOther() {
        List<String> followers = cluster.followers();

        store(followers.get(0)).items.put("greeting", "hello");

        assertThat(store(followers.get(1))
                        .items
                        .read(ReadConsistency.LINEARIZABLE)
                        .get("greeting"))
                .isEqualTo("hello");
    }

    @Test
    void aLeaderOnlyMethodRunsOnTheLeaderWithItsGenerationAndIsSkippedOnFollowers() {
        String leader = cluster.awaitLeader();
        long generation = cluster.bean(leader, dev.replication.runtime.ReplicationNode.class)
                .roleState()
                .generation();

        assertThat(cluster.bean(leader, Janitor.class).sweep()).isEqualTo(generation);
        for (String follower : cluster.followers()) {
            assertThat(cluster.bean(follower, Janitor.class).sweep()).isNull();
        }
    }

    @Test
    void aStaleReadOnAFollowerCatchesUpWithoutEverSeeingAnUnwrittenValue() {
        String leader = cluster.awaitLeader();
        String follower = cluster.followers().get(0);

        store(leader).items.put("stale", "v1");

        await().atMost(Http2Cluster.WAIT)
                .untilAsserted(() -> assertThat(store(follower)
                                .items
                                .read(ReadConsistency.STALE)
                                .get("stale"))
                        .isEqualTo("v1"));
    }

    @Test
    void putIfVersionRefusesAStaleVersionAndNamesTheCurrentOne() {
        String node = cluster.followers().get(0);
        Versioned<String> first = store(node).items.putVersioned("cas", "a");
        store(node).items.putIfVersion("cas", "b", first.version());

        assertThatThrownBy(() -> store(node).items.putIfVersion("cas", "c", first.version()))
                .isInstanceOf(VersionConflictException.class);
        assertThatThrownBy(() -> store(node).items.putIfVersion("cas", "d", 0))
                .isInstanceOf(VersionConflictException.class);
        assertThat(store(node).items.read(ReadConsistency.LINEARIZABLE).get("cas"))
                .isEqualTo("b");
    }

    @Test
    void concurrentComputeOnOneKeyFromThreeNodesLosesNoUpdate() throws Exception {
        int perThread = 20;
        List<String> nodes = List.copyOf(cluster.running());
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<?>> work = new ArrayList<>();
            for (String node : nodes) {
                work.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        store(node).counters.merge("hits", 1L, Long::sum);
                    }
                }));
            }
            for (Future<?> future : work) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }

        long expected = (long) nodes.size() * perThread;
        for (String node : nodes) {
            assertThat(store(node).counters.read(ReadConsistency.LINEARIZABLE).get("hits"))
                    .isEqualTo(expected);
        }
    }

    @Test
    void aWriteRetriedWithItsIdempotencyKeyAcrossALeaderChangeIsAppliedOnce() {
        String leader = cluster.awaitLeader();
        String follower = cluster.followers().get(0);
        Versioned<String> first =
                store(follower).items.withIdempotencyKey("order-7").putVersioned("order", "placed");

        cluster.stop(leader);
        String newLeader = cluster.awaitLeader();
        String other = cluster.running().stream()
                .filter(id -> !id.equals(follower))
                .findFirst()
                .orElseThrow();
        Versioned<String> retried =
                store(other).items.withIdempotencyKey("order-7").putVersioned("order", "placed");
        cluster.start(leader);
        cluster.awaitLeader();

        assertThat(newLeader).isNotEqualTo(leader);
        assertThat(retried.version()).isEqualTo(first.version());
        assertThat(store(other).items.getVersioned("order").version()).isEqualTo(first.version());
    }
}
