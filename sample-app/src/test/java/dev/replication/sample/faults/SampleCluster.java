package dev.replication.sample.faults;

import static org.awaitility.Awaitility.await;

import dev.replication.testsupport.process.FreePorts;
import dev.replication.testsupport.process.NodeProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Three sample-app JVMs on loopback, started from the built jar with {@link NodeProcess}, and the
 * faults a test injects: SIGKILL, SIGSTOP/SIGCONT and restart on the same data directory.
 * Closing it SIGKILLs every node; {@link NodeProcess} also kills them if the test JVM exits first.
 */
final class SampleCluster implements AutoCloseable {

    static final String SECRET = "fault-test-cluster-secret";

    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, NodeProcess.Builder> launchers = new LinkedHashMap<>();
    private final Map<String, NodeProcess> processes = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final Path dataRoot;

    SampleCluster(Path jar, Path dataRoot, Path logDir, Duration electionTimeout) {
        this(jar, dataRoot, logDir, electionTimeout, Map.of());
    }

    /** @param environment more settings for every node, as environment variables */
    SampleCluster(Path jar, Path dataRoot, Path logDir, Duration electionTimeout, Map<String, String> environment) {
        this.dataRoot = dataRoot;
        List<String> names = List.of("n1", "n2", "n3");
        List<Integer> free = FreePorts.several(names.size());
        for (int i = 0; i < names.size(); i++) {
            ports.put(names.get(i), free.get(i));
        }
        String peers = String.join(
                ",", names.stream().map(id -> id + "=" + baseUrl(id)).toList());
        for (String node : names) {
            launchers.put(
                    node,
                    NodeProcess.builder(node)
                            .jar(jar)
                            .maxHeap("256m")
                            .jvmOption("-XX:+UseSerialGC")
                            .jvmOption("-XX:TieredStopAtLevel=1")
                            .environment("REPLICATION_NODE_ID", node)
                            .environment("REPLICATION_PEERS", peers)
                            .environment(
                                    "REPLICATION_DATA_DIR",
                                    dataRoot.resolve(node).toString())
                            .environment("REPLICATION_PEER_CLUSTER_SECRET", SECRET)
                            .environment("REPLICATION_ELECTION_TIMEOUT", electionTimeout.toMillis() + "ms")
                            .environment("SERVER_PORT", String.valueOf(ports.get(node)))
                            .environment("SERVER_ADDRESS", "127.0.0.1")
                            .environment("SAMPLE_HEARTBEAT_INTERVAL", "1s")
                            .logFile(logDir.resolve(node + ".log")));
            environment.forEach(launchers.get(node)::environment);
        }
    }

    List<String> nodes() {
        return List.copyOf(ports.keySet());
    }

    /** Where {@code node} keeps its data (kept across restarts). */
    Path dataDirectory(String node) {
        return dataRoot.resolve(node);
    }

    String baseUrl(String node) {
        return "http://127.0.0.1:" + ports.get(node);
    }

    synchronized void startAll() {
        for (String node : nodes()) {
            start(node);
        }
    }

    /** Starts {@code node} as a heap-limited child JVM on its own data directory (kept across restarts). */
    synchronized void start(String node) {
        NodeProcess running = processes.get(node);
        if (running != null && running.isAlive()) {
            throw new IllegalStateException(node + " is already running; kill it first");
        }
        processes.put(node, launchers.get(node).start());
    }

    /** SIGKILL: the process dies at once, without shutdown hooks; its page cache survives. */
    synchronized void kill(String node) {
        processes.get(node).kill();
    }

    /** SIGSTOP: the process freezes with its sockets open, like a long GC pause. */
    synchronized void pause(String node) {
        processes.get(node).pause();
    }

    /** SIGCONT: the paused process carries on where it stopped. */
    synchronized void resume(String node) {
        processes.get(node).resume();
    }

    synchronized boolean isUp(String node) {
        NodeProcess process = processes.get(node);
        return process != null && process.isAlive() && !process.isPaused();
    }

    /** {@code /actuator/replication} of {@code node}, or empty when it does not answer in time. */
    Optional<JsonNode> status(String node) {
        if (!isUp(node)) {
            return Optional.empty();
        }
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(baseUrl(node) + "/actuator/replication"))
                            .timeout(Duration.ofSeconds(3))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(json.readTree(response.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * The version of {@code key} in {@code node}'s local state (a stale read): 0 when absent, -1
     * when the node did not answer.
     */
    long staleVersion(String node, String key) {
        if (!isUp(node)) {
            return -1;
        }
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(baseUrl(node) + "/kv/" + key + "?consistency=stale"))
                            .timeout(Duration.ofSeconds(3))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                return 0;
            }
            return response.statusCode() == 200
                    ? json.readTree(response.body()).path("version").asLong()
                    : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The running, unpaused node that reports itself leader with the highest generation. */
    Optional<String> leader() {
        String leader = null;
        long generation = -1;
        for (String node : nodes()) {
            Optional<JsonNode> status = status(node);
            if (status.isPresent()
                    && "LEADER".equals(text(status.get(), "role"))
                    && status.get().path("generation").asLong() > generation) {
                leader = node;
                generation = status.get().path("generation").asLong();
            }
        }
        return Optional.ofNullable(leader);
    }

    /** Waits until a leader other than {@code excluded} (null: any) is elected; returns it. */
    String awaitLeaderOtherThan(String excluded, Duration atMost) {
        return await("a leader other than " + excluded)
                .atMost(atMost)
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> leader().filter(leader -> !leader.equals(excluded))
                                .orElse(null),
                        leader -> leader != null);
    }

    /** Waits until every node answers and all agree on one leader. */
    String awaitAllAgreeOnALeader(Duration atMost) {
        return await("all nodes agreeing on one leader")
                .atMost(atMost)
                .pollInterval(Duration.ofMillis(200))
                .until(this::agreedLeader, leader -> leader != null);
    }

    private String agreedLeader() {
        String agreed = null;
        for (String node : nodes()) {
            Optional<JsonNode> status = status(node);
            String leader = status.map(found -> text(found, "leaderId")).orElse(null);
            if (leader == null || (agreed != null && !agreed.equals(leader))) {
                return null;
            }
            agreed = leader;
        }
        return agreed;
    }

    /** A node other than {@code leader} that is up. */
    String aFollowerOf(String leader) {
        for (String node : nodes()) {
            if (!node.equals(leader) && isUp(node)) {
                return node;
            }
        }
        throw new IllegalStateException("no running follower of " + leader + "; nodes: " + processes);
    }

    @Override
    public synchronized void close() {
        processes.values().forEach(NodeProcess::close);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isString() ? value.stringValue() : null;
    }
}
