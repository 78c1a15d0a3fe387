package dev.replication.sample.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.replication.state.CheckpointHeader;
import dev.replication.state.CheckpointSink;
import dev.replication.state.IdempotencyAnswer;
import dev.replication.state.SessionImage;
import dev.replication.state.StoredValue;
import dev.replication.state.jdbc.H2CheckpointStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A follower SIGKILLed in the middle of receiving a snapshot install, with real processes: three
 * sample-app JVMs that checkpoint every 200 entries and keep 50 below; a follower is killed, the
 * leader takes thousands of 2 KB values and compacts past everything the follower has, the
 * follower restarts, and while the snapshot streams in (its status shows the bytes received) it
 * is killed again. Its checkpoint store, opened by the test while the node is down, must hold
 * either its old state or the leader's snapshot, each whole: exactly the keys written at or below
 * the checkpoint's index, none above it. Restarted, it must catch up and serve what the leader has.
 *
 * <p>Prints one line starting with {@code INSTALL KILL SUMMARY}; logs in {@code target/fault-test-logs/install}.
 */
class InstallSurvivesSigkillIT {

    private static final Duration ELECTION_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration STEP_LIMIT = Duration.ofSeconds(120);
    private static final int OLD_KEYS = 300;
    private static final int BIG_KEYS_PER_ROUND = 3000;
    private static final String BIG_VALUE = "\"" + "x".repeat(2000) + "\"";
    private static final int ATTEMPTS = 3;

    @TempDir
    Path dataRoot;

    private SampleCluster cluster;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final JsonMapper json = JsonMapper.builder().build();
    // Every acknowledged write: key -> version (its log index).
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();

    @AfterEach
    void stopEverything() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(900)
    void aFollowerKilledWhileReceivingASnapshotRestartsWithTheOldStateOrTheNewAndCatchesUp() throws Exception {
        String jarProperty = System.getProperty("sample.jar");
        assumeTrue(
                jarProperty != null,
                "system property sample.jar (the built jar) is not set: this test runs"
                        + " in the integration-test phase of ./mvnw verify, after the jar is built");
        cluster = new SampleCluster(
                Path.of(jarProperty),
                dataRoot,
                Path.of("target", "fault-test-logs", "install"),
                ELECTION_TIMEOUT,
                Map.of(
                        "REPLICATION_CHECKPOINT_EVERY_ENTRIES", "200",
                        "REPLICATION_CHECKPOINT_LOG_MARGIN_ENTRIES", "50",
                        "REPLICATION_LOG_SEGMENT_SIZE", "256KB"));
        cluster.startAll();
        String leader = cluster.awaitAllAgreeOnALeader(Duration.ofMinutes(3));
        String follower = cluster.aFollowerOf(leader);

        writeKeys(leader, "old/", OLD_KEYS, "\"old\"");
        await("a checkpoint on follower " + follower)
                .atMost(STEP_LIMIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> checkpointIndex(follower) > 0);

        Interrupted interrupted = null;
        for (int attempt = 1; attempt <= ATTEMPTS && interrupted == null; attempt++) {
            cluster.kill(follower);
            // The follower cannot hold more than the leader had when it died.
            long followerLastAtMost = status(leader).path("lastIndex").asLong();
            writeKeys(leader, "big-" + attempt + "/", BIG_KEYS_PER_ROUND, BIG_VALUE);
            await("the leader compacting past everything follower " + follower + " holds")
                    .atMost(STEP_LIMIT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> status(leader).path("firstIndex").asLong() > followerLastAtMost + 1);
            cluster.start(follower);
            interrupted = killWhileReceiving(follower, followerLastAtMost);
            if (interrupted == null) {
                System.out.println("INSTALL KILL: attempt " + attempt + " saw no transfer in progress; again");
            }
        }
        assertThat(interrupted)
                .as("a kill in the middle of a snapshot transfer within " + ATTEMPTS + " attempts")
                .isNotNull();

        // The node is down: what its checkpoint store holds is what it restarts from.
        Stored stored = storedCheckpoint(cluster.dataDirectory(follower).resolve("checkpoint"));
        long index = stored.header.appliedIndex();
        assertThat(index == interrupted.snapshotIndex() || index <= interrupted.oldApplied())
                .as(
                        "checkpoint index %d is the old state's (at most %d) or the snapshot's (%d)",
                        index, interrupted.oldApplied(), interrupted.snapshotIndex())
                .isTrue();
        TreeMap<String, Long> expected = new TreeMap<>();
        acknowledged.forEach((key, version) -> {
            if (version <= index) {
                expected.put(key, version);
            }
        });
        assertThat(stored.kv)
                .as("the keys in the checkpoint at index %d: exactly those written at or below it", index)
                .isEqualTo(expected);

        cluster.start(follower);
        cluster.awaitAllAgreeOnALeader(STEP_LIMIT);
        long leaderCommit =
                status(cluster.leader().orElseThrow()).path("commitIndex").asLong();
        await("follower " + follower + " catching up to " + leaderCommit)
                .atMost(STEP_LIMIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> status(follower).path("appliedIndex").asLong() >= leaderCommit);
        for (String key : List.of("old/1", "old/" + OLD_KEYS, "big-1/1", "big-1/" + BIG_KEYS_PER_ROUND)) {
            assertThat(cluster.staleVersion(follower, key))
                    .as("version of %s on the restarted follower", key)
                    .isEqualTo(acknowledged.get(key));
        }
        System.out.println("INSTALL KILL SUMMARY: follower " + follower + " killed at " + interrupted.bytesDone()
                + " of " + interrupted.totalBytes() + " bytes of the snapshot at index " + interrupted.snapshotIndex()
                + " (its own state was at " + interrupted.oldApplied() + "); it restarted from the checkpoint at "
                + index + " (" + stored.kv.size() + " keys, all consistent) and caught up to " + leaderCommit);
    }

    /** A transfer cut short: which snapshot, how far, and the most the follower held before it. */
    record Interrupted(long snapshotIndex, long bytesDone, long totalBytes, long oldApplied) {}

    /** Polls the follower's status and SIGKILLs it once a transfer is a third done; null if none was seen. */
    private Interrupted killWhileReceiving(String follower, long oldApplied) {
        long deadline = System.nanoTime() + STEP_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = status(follower);
            JsonNode receiving = status.path("snapshots").path("receiving");
            long done = receiving.path("bytesDone").asLong();
            long total = receiving.path("totalBytes").asLong();
            if (done >= total / 3 && done < total) { // about the middle: chunks already written aside
                cluster.kill(follower);
                return new Interrupted(receiving.path("snapshotIndex").asLong(), done, total, oldApplied);
            }
            long checkpoint = status.path("snapshots").path("checkpointIndex").asLong();
            if (checkpoint > oldApplied) {
                return null; // the install finished between two polls
            }
        }
        return null;
    }

    /** Puts {@code count} keys through {@code node} with 8 clients, recording each version. */
    private void writeKeys(String node, String prefix, int count, String value) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int client = 0; client < 8; client++) {
                int first = client;
                done.add(clients.submit(() -> {
                    for (int i = first + 1; i <= count; i += 8) {
                        put(node, prefix + i, value);
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            clients.shutdownNow();
        }
    }

    private void put(String node, String key, String value) throws Exception {
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(cluster.baseUrl(node) + "/kv/" + key))
                            .timeout(Duration.ofSeconds(30))
                            .PUT(HttpRequest.BodyPublishers.ofString(value))
                            .header("Content-Type", "application/json")
                            // A retry after 504 gets the first write's answer (and version), not a second write.
                            .header("Idempotency-Key", "install-test-" + key)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                acknowledged.put(
                        key, json.readTree(response.body()).path("version").asLong());
                return;
            }
            // 503: certainly not applied; 504: outcome unknown (a leader change). Either way the
            // same idempotent request again. Anything else is a failure.
            assertThat(response.statusCode())
                    .as("PUT %s: %s", key, response.body())
                    .isIn(503, 504);
            assertThat(attempt).as("attempts to put %s", key).isLessThan(50);
            Thread.sleep(200);
        }
    }

    private JsonNode status(String node) {
        Optional<JsonNode> status = cluster.status(node);
        return status.orElse(json.createObjectNode());
    }

    private long checkpointIndex(String node) {
        return status(node).path("snapshots").path("checkpointIndex").asLong();
    }

    /** The {@code kv} map of a node's checkpoint (key -> version), read from its store directly. */
    private Stored storedCheckpoint(Path directory) {
        Stored stored = new Stored();
        try (H2CheckpointStore store = new H2CheckpointStore(directory)) {
            store.loadLatest(stored);
        }
        assertThat(stored.header).as("a checkpoint in " + directory).isNotNull();
        return stored;
    }

    /** Collects what a checkpoint holds of the sample's {@code kv} map. */
    private final class Stored implements CheckpointSink {
        CheckpointHeader header;
        final TreeMap<String, Long> kv = new TreeMap<>();

        @Override
        public void header(CheckpointHeader loaded) {
            header = loaded;
        }

        @Override
        public void value(String map, byte[] key, StoredValue value) {
            if ("kv".equals(map)) {
                kv.put(new String(key, StandardCharsets.UTF_8), value.version()); // String keys are stored as UTF-8
            }
        }

        @Override
        public void session(SessionImage session) {}

        @Override
        public void idempotencyAnswer(IdempotencyAnswer answer) {}
    }
}
