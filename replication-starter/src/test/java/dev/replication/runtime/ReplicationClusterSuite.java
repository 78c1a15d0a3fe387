package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.replication.api.OutcomeUnknownException;
import dev.replication.api.ReadConsistency;
import dev.replication.core.Role;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.StateCommand;
import dev.replication.state.StateResult;
import dev.replication.state.StoredValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The behaviour of a three-node cluster, each node a Spring application in this JVM. Written
 * once against {@link #start}/{@link #isolate}/{@link #heal}; subclasses run it over the
 * in-memory network and over real HTTP/2. One cluster per class; tests that stop or cut off a
 * node restore it before they end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ReplicationClusterSuite {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    static final List<String> NODES = List.of("n1", "n2", "n3");

    @TempDir
    static Path dataRoot;

    final Map<String, ConfigurableApplicationContext> contexts = new LinkedHashMap<>();

    /** Properties that connect {@code nodeId} to the others (peers, transport). */
    abstract Map<String, Object> transportProperties(String nodeId);

    /** Extra configuration classes for every node (e.g. a transport bean). */
    abstract Class<?>[] transportConfiguration();

    abstract boolean web();

    /** Cuts {@code nodeId} off from every other node, both directions. */
    abstract void isolate(String nodeId);

    abstract void heal();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class NodeApplication {}

    static {
        // Nodes are stopped on purpose here; an exception a dying web server throws on its own
        // threads is not a failure of the test that stopped it (Awaitility reports those by default).
        org.awaitility.Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    @BeforeAll
    void startCluster() {
        for (String node : NODES) {
            start(node);
        }
        awaitLeader();
    }

    @AfterAll
    void stopCluster() {
        heal();
        contexts.values().forEach(ConfigurableApplicationContext::close);
    }

    @AfterEach
    void restoreCluster() {
        heal();
        for (String node : NODES) {
            if (!contexts.containsKey(node)) {
                start(node);
            }
        }
        awaitLeader();
    }

    ConfigurableApplicationContext start(String nodeId) {
        return start(nodeId, Map.of());
    }

    ConfigurableApplicationContext start(String nodeId, Map<String, Object> overrides) {
        Map<String, Object> properties = new LinkedHashMap<>(transportProperties(nodeId));
        properties.put("replication.node-id", nodeId);
        properties.put("replication.data-dir", dataRoot.resolve(nodeId).toString());
        properties.put("replication.election.timeout", "1500ms");
        properties.put("replication.election.heartbeat-interval", "150ms");
        properties.put("replication.election.tick-interval", "50ms");
        properties.put("spring.main.banner-mode", "off");
        properties.putAll(overrides);
        List<Class<?>> sources = new ArrayList<>(List.of(NodeApplication.class));
        sources.addAll(List.of(transportConfiguration()));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(sources.toArray(Class[]::new))
                .web(
                        web()
                                ? org.springframework.boot.WebApplicationType.SERVLET
                                : org.springframework.boot.WebApplicationType.NONE)
                .properties(properties)
                .run();
        contexts.put(nodeId, context);
        return context;
    }

    void stop(String nodeId) {
        ConfigurableApplicationContext context = contexts.remove(nodeId);
        if (context != null) {
            context.close();
        }
    }

    ReplicationNode node(String nodeId) {
        return contexts.get(nodeId).getBean(ReplicationNode.class);
    }

    KeyValueStateMachine state(String nodeId) {
        return contexts.get(nodeId).getBean(KeyValueStateMachine.class);
    }

    String awaitLeader() {
        String[] leader = new String[1];
        await().atMost(WAIT).until(() -> {
            List<String> leaders = contexts.keySet().stream()
                    .filter(id -> node(id).roleState().role() == Role.LEADER)
                    .toList();
            boolean everyoneAgrees = contexts.keySet().stream()
                    .allMatch(id -> leaders.size() == 1
                            && leaders.get(0).equals(node(id).roleState().leaderId()));
            leader[0] = everyoneAgrees ? leaders.get(0) : null;
            return everyoneAgrees;
        });
        return leader[0];
    }

    String aFollower(String leader) {
        return contexts.keySet().stream()
                .filter(id -> !id.equals(leader))
                .findFirst()
                .orElseThrow();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] put(String key, String value) {
        return new StateCommand.Put("kv", utf8(key), utf8(value)).encode();
    }

    StateResult write(String nodeId, String key, String value) throws Exception {
        return write(nodeId, key, value, null);
    }

    StateResult write(String nodeId, String key, String value, String idempotencyKey) throws Exception {
        byte[] result = node(nodeId)
                .submit(put(key, value), idempotencyKey, WRITE_TIMEOUT)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return StateResult.decode(result);
    }

    String localValue(String nodeId, String key) {
        StoredValue value = state(nodeId).get("kv", utf8(key));
        return value == null ? null : new String(value.value(), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ the specification

    @Test
    void electsExactlyOneLeaderThatEveryNodeKnows() {
        String leader = awaitLeader();

        assertThat(NODES).contains(leader);
        assertThat(contexts.keySet())
                .allSatisfy(id -> assertThat(node(id).roleState().leaderId()).isEqualTo(leader));
    }

    @Test
    void aWriteAcknowledgedByTheLeaderReachesEveryNode() throws Exception {
        String leader = awaitLeader();

        StateResult result = write(leader, "replicated", "everywhere");

        assertThat(result.status()).isEqualTo(StateResult.Status.APPLIED);
        assertThat(localValue(leader, "replicated")).isEqualTo("everywhere");
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(NODES)
                        .allSatisfy(
                                id -> assertThat(localValue(id, "replicated")).isEqualTo("everywhere")));
    }

    @Test
    void aWriteOnAFollowerIsForwardedAndReadableOnThatFollowerOnceAcknowledged() throws Exception {
        String follower = aFollower(awaitLeader());

        StateResult result = write(follower, "forwarded", "read-your-write");

        assertThat(result.status()).isEqualTo(StateResult.Status.APPLIED);
        // No waiting: the follower answered only after applying the entry itself.
        assertThat(localValue(follower, "forwarded")).isEqualTo("read-your-write");
    }

    @Test
    void aLinearizableReadOnAFollowerSeesAWriteAcknowledgedByTheLeader() throws Exception {
        String leader = awaitLeader();
        String follower = aFollower(leader);
        write(leader, "linearizable", "fresh");

        node(follower)
                .readBarrier(ReadConsistency.LINEARIZABLE, 0, WRITE_TIMEOUT)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(localValue(follower, "linearizable")).isEqualTo("fresh");
    }

    @Test
    void aRetriedWriteWithTheSameIdempotencyKeyIsAppliedOnceThroughAnyNode() throws Exception {
        String leader = awaitLeader();
        String follower = aFollower(leader);

        StateResult first = write(follower, "idempotent", "once", "request-42");
        StateResult retried = write(leader, "idempotent", "once", "request-42");

        assertThat(retried.version()).isEqualTo(first.version());
        assertThat(state(leader).get("kv", utf8("idempotent")).version()).isEqualTo(first.version());
    }

    @Test
    void aRetriedWriteIsAppliedOnceAlsoAfterTheForwardingNodeRestarts() throws Exception {
        String follower = aFollower(awaitLeader());
        StateResult first = write(follower, "restart-retry", "v1", "request-restart");

        stop(follower);
        start(follower);
        awaitLeader();
        StateResult retried = write(follower, "restart-retry", "v1", "request-restart");

        assertThat(retried.version()).isEqualTo(first.version());
    }

    @Test
    void closingTheLeaderLosesNoAcknowledgedWrite() throws Exception {
        String leader = awaitLeader();
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            write(leader, "durable-" + i, "value-" + i);
            acknowledged.add("durable-" + i);
        }

        stop(leader);
        String newLeader = awaitLeader();
        write(newLeader, "after-failover", "ok");

        assertThat(newLeader).isNotEqualTo(leader);
        for (String survivor : contexts.keySet()) {
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(acknowledged)
                            .allSatisfy(
                                    key -> assertThat(localValue(survivor, key)).isNotNull()));
        }
    }

    @Test
    void aWriteToALeaderThatLosesItsQuorumEndsWithOutcomeUnknown() throws Exception {
        String leader = awaitLeader();
        isolate(leader);

        CompletableFuture<byte[]> write = node(leader).submit(put("cut-off", "maybe"), null, Duration.ofSeconds(5));

        assertThatThrownBy(() -> write.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(OutcomeUnknownException.class);
    }

    @Test
    void aRestartedFollowerCatchesUpWithWritesItMissed() throws Exception {
        String leader = awaitLeader();
        String follower = aFollower(leader);
        stop(follower);
        for (int i = 0; i < 30; i++) {
            write(leader, "missed-" + i, "v" + i);
        }

        start(follower);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(localValue(follower, "missed-29")).isEqualTo("v29");
            assertThat(node(follower).appliedIndex()).isEqualTo(node(leader).appliedIndex());
        });
    }

    @Test
    void aSecondNodeOnTheSameDataDirectoryIsRefused() {
        String running = NODES.get(0);

        assertThatThrownBy(() -> start(
                        "intruder",
                        Map.of(
                                "replication.node-id",
                                running,
                                "replication.data-dir",
                                dataRoot.resolve(running).toString())))
                .hasStackTraceContaining(dataRoot.resolve(running).toString());
        contexts.remove("intruder");
    }

    @Test
    void aDataDirectoryOfAnotherClusterIsRefused() {
        String follower = aFollower(awaitLeader());
        stop(follower);

        assertThatThrownBy(() -> start(follower, Map.of("replication.cluster-id", "some-other-cluster")))
                .hasStackTraceContaining("some-other-cluster");
        contexts.remove(follower);
    }
}
