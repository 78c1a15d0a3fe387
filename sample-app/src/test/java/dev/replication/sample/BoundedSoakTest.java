package dev.replication.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.testsupport.history.CheckResult;
import dev.replication.testsupport.history.History;
import dev.replication.testsupport.history.LinearizabilityChecker;
import dev.replication.testsupport.history.OperationRecord;
import dev.replication.testsupport.history.Outcome;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A bounded soak: three sample nodes in one JVM under a minute of load from 48 clients through
 * every node (linearizable reads, idempotent puts on a few keys, some replayed, conditional puts,
 * oversized puts), with one follower cut off from its peers for 15 s in the middle. Asserts
 * safety and liveness only, never throughput: the history is linearizable, no acknowledged
 * write is lost, a replayed put applies once, an oversized put is refused with 413 and changes
 * nothing, every request ends within its timeout, and the cluster has a leader at the end.
 *
 * <p>Runs in {@code verify} (about a minute and a half). It found a real violation: a write still
 * in progress when the follower's web server stopped was answered Spring's default 503, which
 * this API reserves for "not applied" (fixed: 504 outcome unknown, see KeyValueWebSliceTest).
 * Since that fix it passed ten runs out of ten, six of them on a machine saturated by other
 * builds. When it fails it writes the whole history to {@code target/bounded-soak-history.txt}.
 */
class BoundedSoakTest {

    private static final int CLIENTS = 48;
    private static final List<String> KEYS = List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7");
    private static final Duration LOAD = Duration.ofSeconds(60);
    private static final Duration BEFORE_CUT_OFF = Duration.ofSeconds(15);
    private static final Duration CUT_OFF = Duration.ofSeconds(15);
    private static final int MAX_VALUE_BYTES = 4096;
    private static final String SECRET = "bounded-soak-secret";
    private static final long SEED = 12;
    private static final Path DUMP = Path.of("target", "bounded-soak-history.txt");

    @TempDir
    static Path dataRoot;

    private static final Map<String, ConfigurableApplicationContext> nodes = new ConcurrentHashMap<>();
    private static final Map<String, Integer> ports = new TreeMap<>();
    private static String peers = "";

    @BeforeAll
    static void startCluster() throws Exception {
        peers = InProcessNodes.assignPorts(3, ports);
        // One after another: Spring Boot's logging setup is not safe to run from several threads at once.
        for (String id : ports.keySet()) {
            start(id);
        }
    }

    @AfterAll
    static void stopCluster() {
        nodes.values().forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void aMinuteOfLoadWithAFollowerCutOffStaysLinearizableAndLosesNoAcknowledgedWrite() throws Exception {
        String leader = awaitLeader();
        String follower = ports.keySet().stream()
                .filter(id -> !id.equals(leader))
                .findFirst()
                .orElseThrow();
        List<String> baseUrls =
                ports.values().stream().map(port -> "http://127.0.0.1:" + port).toList();
        History history = new History();
        SoakTally tally = new SoakTally();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1))
                .build();
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger clientsDone = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int i = 0; i < CLIENTS; i++) {
            SoakClient client =
                    new SoakClient("c" + i, history, baseUrls, KEYS, http, tally, MAX_VALUE_BYTES, SEED + i);
            clients.execute(() -> {
                while (loading.get()) {
                    client.step();
                }
                clientsDone.incrementAndGet();
            });
        }

        // The sleeps set the phases of the load; nothing waits on them for a state change.
        long loadStarted = System.nanoTime();
        Thread.sleep(BEFORE_CUT_OFF.toMillis());
        // The cut-off is a stop and restart: in one JVM the simplest reliable way to take a node
        // away from its peers (and its clients, who keep calling it and are refused) is to close
        // its application context, and to bring it back on the same data dir and port.
        // Closing the context stops its web server first (peers and clients are refused from
        // then on, requests in progress are cut: server.shutdown=immediate), so the cut-off is
        // timed from the start of the close.
        long cutOffStarted = System.nanoTime();
        nodes.remove(follower).close();
        long closeMillis = millisSince(cutOffStarted);
        Thread.sleep(Math.max(0, CUT_OFF.toMillis() - millisSince(cutOffStarted)));
        start(follower);
        long cutOffMillis = millisSince(cutOffStarted);
        Thread.sleep(Math.max(0, LOAD.toMillis() - millisSince(loadStarted)));
        loading.set(false);
        clients.shutdown();
        // A client's last operation is at most a read, a put and its retry, each bounded by the timeout.
        boolean allEnded = clients.awaitTermination(3 * SoakClient.REQUEST_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        clients.shutdownNow();
        System.out.println("BoundedSoakTest: " + millisSince(loadStarted) + " ms of load; follower " + follower
                + " cut off (stopped and restarted) for " + cutOffMillis + " ms (close took " + closeMillis + " ms); "
                + tally.summary());

        assertThat(allEnded)
                .as("every client's last request ended within its timeout (%d of %d ended)", clientsDone.get(), CLIENTS)
                .isTrue();
        assertThat(tally.slowestMillis())
                .as("slowest request, ms: none outlives its client timeout")
                .isLessThan(SoakClient.REQUEST_TIMEOUT.plusSeconds(2).toMillis());
        assertThat(tally.unexpectedAnswers())
                .as("answers outside the API's contract")
                .isEmpty();
        assertThat(tally.replaysThatAppliedTwice())
                .as("replayed puts answered with another version")
                .isEmpty();
        assertThat(tally.oversizedByStatus().keySet())
                .as("oversized puts by status (0: no HTTP answer, the node was down)")
                .contains(413)
                .isSubsetOf(413, 0);

        String finalLeader = awaitLeader();
        Map<String, SoakClient.ReadResult> finalValues = agreedFinalValues(history, baseUrls, http, tally);
        Map<String, Long> acknowledged = tally.highestAcknowledgedVersion();
        for (String key : KEYS) {
            SoakClient.ReadResult last = finalValues.get(key);
            assertThat(last.version())
                    .as("final version of %s (%s): no acknowledged write is lost", key, last.value())
                    .isGreaterThanOrEqualTo(acknowledged.getOrDefault(key, 0L));
            assertThat(last.value())
                    .as("final value of %s: no oversized put changed it", key)
                    .satisfiesAnyOf(
                            value -> assertThat(value).isNull(),
                            value -> assertThat(value).hasSizeLessThan(MAX_VALUE_BYTES));
        }

        List<OperationRecord> operations = history.operations();
        CheckResult result = LinearizabilityChecker.check(operations);
        System.out.println("BoundedSoakTest: " + result.explanation() + "; leader at the end " + finalLeader);
        if (!result.linearizable()) {
            dumpForReading(operations, tally);
        }
        assertThat(result.linearizable())
                .as(
                        "%s%nputs retried after an unknown outcome:%n%s",
                        result.explanation(), String.join("\n", tally.retries()))
                .isTrue();
        assertThat(operations.stream().filter(op -> op.outcome() == Outcome.OK))
                .as("operations that took effect")
                .isNotEmpty();
    }

    /**
     * Every key's value once linearizable reads through every node agree on it, all recorded in
     * the history. A write whose client gave up may still commit after the load, so one round of
     * reads may see it through some nodes only; and a restarted node may refuse until it knows
     * the leader.
     */
    private static Map<String, SoakClient.ReadResult> agreedFinalValues(
            History history, List<String> baseUrls, HttpClient http, SoakTally tally) {
        List<SoakClient> readers = new ArrayList<>();
        for (int i = 0; i < baseUrls.size(); i++) {
            readers.add(new SoakClient(
                    "final-" + i, history, List.of(baseUrls.get(i)), KEYS, http, tally, MAX_VALUE_BYTES, 0));
        }
        Map<String, SoakClient.ReadResult> agreed = new TreeMap<>();
        for (String key : KEYS) {
            agreed.put(
                    key,
                    await("linearizable reads of " + key + " through every node agree")
                            .atMost(Duration.ofSeconds(30))
                            .until(() -> agreedRead(readers, key), Optional::isPresent)
                            .orElseThrow());
        }
        return agreed;
    }

    private static Optional<SoakClient.ReadResult> agreedRead(List<SoakClient> readers, String key) {
        Set<SoakClient.ReadResult> seen = new HashSet<>();
        for (SoakClient reader : readers) {
            SoakClient.ReadResult read = reader.read(key);
            if (read == null) {
                return Optional.empty();
            }
            seen.add(read);
        }
        return seen.size() == 1 ? Optional.of(seen.iterator().next()) : Optional.empty();
    }

    private static void start(String id) throws Exception {
        Path dataDir = Files.createDirectories(dataRoot.resolve(id));
        // Arguments, not default properties: they must win over application.properties.
        nodes.put(
                id,
                new SpringApplicationBuilder(SampleApplication.class)
                        .run(
                                "--server.port=" + ports.get(id),
                                "--replication.node-id=" + id,
                                "--replication.peers=" + peers,
                                "--replication.data-dir=" + dataDir,
                                "--replication.peer.cluster-secret=" + SECRET,
                                // Generous: two cores run three nodes and 48 clients.
                                "--replication.election.timeout=1500ms",
                                "--sample.kv.max-value-bytes=" + MAX_VALUE_BYTES,
                                "--server.shutdown=immediate",
                                "--sample.heartbeat.interval=1h",
                                "--spring.main.banner-mode=off",
                                "--logging.level.org.springframework=warn",
                                "--logging.level.org.apache=warn"));
    }

    /** The history and every request with its answer, to find what a violation's operations saw. */
    private static void dumpForReading(List<OperationRecord> operations, SoakTally tally) throws IOException {
        List<String> lines = new ArrayList<>();
        operations.forEach(operation -> lines.add(operation.toString()));
        lines.add("--- requests in the order they ended");
        lines.addAll(tally.attempts());
        Files.write(DUMP, lines);
    }

    private static long millisSince(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }

    private static String awaitLeader() {
        return InProcessNodes.awaitLeader(nodes.values());
    }
}
