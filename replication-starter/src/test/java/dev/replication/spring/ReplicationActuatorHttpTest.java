package dev.replication.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The operator's view over HTTP: {@code /actuator/replication} and the readiness group. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicationActuatorHttpTest {

    @TempDir
    static Path dataRoot;

    final HttpClient http = HttpClient.newHttpClient();
    final JsonMapper json = new JsonMapper();
    Http2Cluster cluster;

    /** Spring Security is on the test classpath: this application opens its Actuator to the test. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class PlainApplication {
        @org.springframework.context.annotation.Bean
        org.springframework.security.web.SecurityFilterChain openActuator(
                org.springframework.security.config.annotation.web.builders.HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                    .build();
        }
    }

    @BeforeAll
    void startCluster() {
        cluster = new Http2Cluster(dataRoot, List.of("n1", "n2", "n3"), PlainApplication.class).startAll();
    }

    @AfterAll
    void stopCluster() {
        cluster.close();
    }

    HttpResponse<String> get(String node, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(cluster.url(node, path))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theReplicationEndpointShowsRoleLeaderIndexesAndOnTheLeaderEachPeer() throws Exception {
        String leader = cluster.awaitLeader();

        String leaderBody = get(leader, "/actuator/replication").body();
        JsonNode onLeader = json.readTree(leaderBody);
        assertThat(onLeader.has("nodeId")).as(leaderBody).isTrue();
        JsonNode onFollower = json.readTree(
                get(cluster.followers().get(0), "/actuator/replication").body());

        assertThat(onLeader.get("nodeId").asString()).isEqualTo(leader);
        assertThat(onLeader.get("role").asString()).isEqualTo("LEADER");
        assertThat(onLeader.get("generation").asLong()).isPositive();
        assertThat(onLeader.get("commitIndex").asLong()).isPositive();
        assertThat(onLeader.get("peers").properties()).hasSize(2);
        assertThat(onFollower.get("role").asString()).isEqualTo("FOLLOWER");
        assertThat(onFollower.get("leaderId").asString()).isEqualTo(leader);
    }

    @Test
    void readinessIncludesReplicationAndLivenessDoesNot() throws Exception {
        String node = cluster.followers().get(0);

        await().atMost(Http2Cluster.WAIT).untilAsserted(() -> {
            HttpResponse<String> readiness = get(node, "/actuator/health/readiness");
            assertThat(readiness.statusCode()).isEqualTo(200);
            assertThat(readiness.body()).contains("\"replication\"");
        });
        assertThat(get(node, "/actuator/health/liveness").body()).doesNotContain("replication");
    }

    @Test
    void theHealthOfANodeThatHasLostItsQuorumIsDownAndSaysWhy() throws Exception {
        String survivor = cluster.followers().get(0);
        List<String> others =
                cluster.running().stream().filter(id -> !id.equals(survivor)).toList();
        others.forEach(cluster::stop);
        try {
            await().atMost(Http2Cluster.WAIT).untilAsserted(() -> {
                HttpResponse<String> readiness = get(survivor, "/actuator/health/readiness");
                assertThat(readiness.statusCode()).isEqualTo(503);
                assertThat(readiness.body()).contains("no leader known");
            });
        } finally {
            others.forEach(cluster::start);
            cluster.awaitLeader();
        }
    }
}
