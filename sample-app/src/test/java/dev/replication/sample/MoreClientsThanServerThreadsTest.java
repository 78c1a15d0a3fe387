package dev.replication.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.api.Leadership;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Three sample nodes in one JVM, each with a web server of only 20 threads, and 60 clients
 * writing at once to the leader: more clients than the server has threads. The peers' messages
 * reach the leader through the same web server, so a client that held a thread until its write
 * committed would starve them: the leader would hear no acknowledgement, commit nothing and lose
 * its quorum. Every request must end with 200, or a fast 503 (shed, nothing changed); none may
 * end "outcome unknown" or time out, and the leader keeps leading.
 */
class MoreClientsThanServerThreadsTest {

    private static final int SERVER_THREADS = 20;
    private static final int CLIENTS = 60;
    private static final int WRITES_PER_CLIENT = 10;
    private static final String SECRET = "more-clients-than-threads-secret";

    @TempDir
    static Path dataRoot;

    private static final Map<String, ConfigurableApplicationContext> nodes = new ConcurrentHashMap<>();
    private static final Map<String, Integer> ports = new TreeMap<>();

    @BeforeAll
    static void startCluster() throws Exception {
        String peers = InProcessNodes.assignPorts(3, ports);
        // One after another: a start does not wait for a leader, and Spring Boot's logging setup
        // is not safe to run from several threads at once (it failed with a
        // ConcurrentModificationException in logback when these started in parallel).
        for (String id : ports.keySet()) {
            Path dataDir = Files.createDirectories(dataRoot.resolve(id));
            // Arguments, not default properties: they must win over application.properties.
            nodes.put(
                    id,
                    new SpringApplicationBuilder(SampleApplication.class)
                            .run(
                                    "--server.port=" + ports.get(id),
                                    "--server.tomcat.threads.max=" + SERVER_THREADS,
                                    "--server.tomcat.threads.min-spare=" + SERVER_THREADS,
                                    "--replication.node-id=" + id,
                                    "--replication.peers=" + peers,
                                    "--replication.data-dir=" + dataDir,
                                    "--replication.peer.cluster-secret=" + SECRET,
                                    "--sample.heartbeat.interval=1h",
                                    "--spring.main.banner-mode=off",
                                    "--logging.level.org.springframework=warn",
                                    "--logging.level.org.apache=warn"));
        }
    }

    @AfterAll
    static void stopCluster() {
        nodes.values().forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void sixtyClientsWritingToALeaderWithTwentyThreadsAllGetAnAnswerAndTheLeaderKeepsLeading() throws Exception {
        String leader = awaitLeader();
        long generation = nodes.get(leader).getBean(Leadership.class).generation();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<String> failures = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<CompletableFuture<Void>> running = new ArrayList<>();
            for (int client = 0; client < CLIENTS; client++) {
                int id = client;
                running.add(CompletableFuture.runAsync(
                        () -> {
                            for (int write = 0; write < WRITES_PER_CLIENT; write++) {
                                HttpRequest put = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                                + ports.get(leader) + "/kv/load/" + id + "/" + write))
                                        // Longer than the map's 10 s write timeout: a write held that
                                        // long answers 504 here instead of timing out the client.
                                        .timeout(Duration.ofSeconds(30))
                                        .PUT(HttpRequest.BodyPublishers.ofString("\"v" + write + "\""))
                                        .build();
                                try {
                                    int status = http.send(put, HttpResponse.BodyHandlers.discarding())
                                            .statusCode();
                                    statuses.computeIfAbsent(status, ignored -> new AtomicInteger())
                                            .incrementAndGet();
                                } catch (IOException | InterruptedException failed) {
                                    synchronized (failures) {
                                        failures.add(failed.toString());
                                    }
                                }
                            }
                        },
                        clients));
            }
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        } finally {
            clients.shutdownNow();
        }

        assertThat(failures)
                .as("requests that failed or timed out on the client")
                .isEmpty();
        assertThat(statuses.keySet())
                .as("statuses answered (count by status: %s)", statuses)
                .isSubsetOf(200, 503);
        assertThat(statuses.get(200)).as("writes applied").isNotNull();
        Leadership stillLeading = nodes.get(leader).getBean(Leadership.class);
        assertThat(stillLeading.isLeader()).as("node %s still leads", leader).isTrue();
        assertThat(stillLeading.generation()).as("generation of the leader").isEqualTo(generation);
    }

    private static String awaitLeader() {
        return InProcessNodes.awaitLeader(nodes.values());
    }
}
