package dev.replication.sample.faults;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Three sample-app JVMs on loopback, started from the built jar, with the faults a test injects:
 * SIGKILL, SIGSTOP/SIGCONT and restart on the same data directory. Closing it SIGKILLs every node
 * it started, and a shutdown hook does the same if the test JVM exits first.
 */
final class SampleCluster implements AutoCloseable {

    static final String SECRET = "fault-test-cluster-secret";

    private final Path jar;
    private final Path dataRoot;
    private final Path logDir;
    private final Duration electionTimeout;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, Boolean> paused = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final Thread killOnExit = new Thread(this::killAll, "sample-cluster-kill-on-exit");

    SampleCluster(Path jar, Path dataRoot, Path logDir, Duration electionTimeout) throws IOException {
        this.jar = jar;
        this.dataRoot = dataRoot;
        this.logDir = logDir;
        this.electionTimeout = electionTimeout;
        Files.createDirectories(logDir);
        for (String node : List.of("n1", "n2", "n3")) {
            ports.put(node, freePort());
        }
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    List<String> nodes() {
        return List.copyOf(ports.keySet());
    }

    String baseUrl(String node) {
        return "http://127.0.0.1:" + ports.get(node);
    }

    synchronized void startAll() throws IOException {
        for (String node : nodes()) {
            start(node);
        }
    }

    /** Starts {@code node} as a heap-limited child JVM on its own data directory (kept across restarts). */
    synchronized void start(String node) throws IOException {
        Process running = processes.get(node);
        if (running != null && running.isAlive()) {
            throw new IllegalStateException(node + " is already running; kill it first");
        }
        String peers = String.join(",", nodes().stream().map(id -> id + "=" + baseUrl(id)).toList());
        ProcessBuilder builder = new ProcessBuilder(javaBinary(), "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-jar", jar.toString());
        Map<String, String> env = builder.environment();
        env.put("REPLICATION_NODE_ID", node);
        env.put("REPLICATION_PEERS", peers);
        env.put("REPLICATION_DATA_DIR", dataRoot.resolve(node).toString());
        env.put("REPLICATION_CLUSTER_SECRET", SECRET);
        env.put("REPLICATION_ELECTION_TIMEOUT", electionTimeout.toMillis() + "ms");
        env.put("SERVER_PORT", String.valueOf(ports.get(node)));
        env.put("SERVER_ADDRESS", "127.0.0.1");
        env.put("SAMPLE_HEARTBEAT_INTERVAL", "1s");
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(node + ".log").toFile()));
        processes.put(node, builder.start());
        paused.put(node, false);
    }

    /** SIGKILL: the process dies at once, without shutdown hooks; its page cache survives. */
    synchronized void kill(String node) throws InterruptedException {
        Process process = processes.get(node);
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(node + " (pid " + process.pid() + ") survived SIGKILL for 30 s");
        }
        paused.put(node, false);
    }

    /** SIGSTOP: the process freezes with its sockets open, like a long GC pause. */
    synchronized void pause(String node) throws IOException, InterruptedException {
        signal(node, "STOP");
        paused.put(node, true);
    }

    /** SIGCONT: the paused process carries on where it stopped. */
    synchronized void resume(String node) throws IOException, InterruptedException {
        signal(node, "CONT");
        paused.put(node, false);
    }

    synchronized boolean isUp(String node) {
        Process process = processes.get(node);
        return process != null && process.isAlive() && !paused.get(node);
    }

    /** {@code /actuator/replication} of {@code node}, or empty when it does not answer in time. */
    Optional<JsonNode> status(String node) {
        if (!isUp(node)) {
            return Optional.empty();
        }
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(baseUrl(node) + "/actuator/replication"))
                            .timeout(Duration.ofSeconds(3)).build(),
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
                            .timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                return 0;
            }
            return response.statusCode() == 200 ? json.readTree(response.body()).path("version").asLong() : -1;
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
            if (status.isPresent() && "LEADER".equals(text(status.get(), "role"))
                    && status.get().path("generation").asLong() > generation) {
                leader = node;
                generation = status.get().path("generation").asLong();
            }
        }
        return Optional.ofNullable(leader);
    }

    /** Waits until a leader other than {@code excluded} (null: any) is elected; returns it. */
    String awaitLeaderOtherThan(String excluded, Duration atMost) {
        return await("a leader other than " + excluded).atMost(atMost).pollInterval(Duration.ofMillis(200))
                .until(() -> leader().filter(leader -> !leader.equals(excluded)).orElse(null),
                        leader -> leader != null);
    }

    /** Waits until every node answers and all agree on one leader. */
    String awaitAllAgreeOnALeader(Duration atMost) {
        return await("all nodes agreeing on one leader").atMost(atMost).pollInterval(Duration.ofMillis(200))
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
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down and runs the hook itself
        }
    }

    private synchronized void killAll() {
        List<Process> all = new ArrayList<>(processes.values());
        for (Process process : all) {
            process.destroyForcibly();
        }
        for (Process process : all) {
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void signal(String node, String signal) throws IOException, InterruptedException {
        Process process = processes.get(node);
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " (" + node + ") failed");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isString() ? value.stringValue() : null;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
