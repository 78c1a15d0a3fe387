package dev.replication.sample.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.replication.testsupport.history.CheckResult;
import dev.replication.testsupport.history.History;
import dev.replication.testsupport.history.LinearizabilityChecker;
import dev.replication.testsupport.history.OperationRecord;
import dev.replication.testsupport.history.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole product with real processes: three sample-app JVMs from the built jar, concurrent
 * clients over HTTP through every node, and meanwhile the leader SIGKILLed and restarted, the new
 * leader SIGSTOPped until the others elected a successor and then resumed, and a follower killed
 * and restarted. Afterwards every node must read every key linearizably, the replicas must
 * converge, and the whole history must be linearizable: no acknowledged write lost, no stale
 * linearizable read.
 *
 * <p>Prints one line starting with {@code FAULT TEST SUMMARY}; the nodes' logs are kept in
 * {@code target/fault-test-logs}.
 */
class ClusterSurvivesProcessFaultsIT {

    /** Generous: two cores shared with a build must not depose healthy leaders. */
    private static final Duration ELECTION_TIMEOUT = Duration.ofSeconds(2);

    private static final Duration STEP_LIMIT = Duration.ofSeconds(90);
    private static final List<String> KEYS = List.of("faults/a", "faults/b", "faults/c", "faults/d");
    private static final int CLIENTS = 5;
    private static final int PROGRESS = 25;

    @TempDir
    Path dataRoot;

    private SampleCluster cluster;
    private ClusterWorkload workload;
    private final List<String> faults = new ArrayList<>();
    private String phase = "starting the cluster";
    private boolean summarized;

    @AfterEach
    void stopEverything() throws InterruptedException {
        if (workload != null) {
            workload.stop();
            if (!summarized) {
                List<OperationRecord> operations = workload.history().operations();
                System.out.println("FAULT TEST SUMMARY: " + counts(operations) + "; faults: "
                        + String.join(", ", faults) + "; verdict: NOT CHECKED, the test failed while " + phase);
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(600)
    void noAcknowledgedWriteIsLostAndReadsStayLinearizableThroughKillsAndPauses() throws Exception {
        String jarProperty = System.getProperty("sample.jar");
        // Only the integration-test execution sets it; "-Dtest=...IT" also reaches the unit-test
        // execution, which runs before the jar is built.
        assumeTrue(
                jarProperty != null,
                "system property sample.jar (the built jar) is not set: this test runs"
                        + " in the integration-test phase of ./mvnw verify, after the jar is built");
        Path jar = Path.of(jarProperty);
        assertThat(jar).as("the sample-app jar built by 'package'").isRegularFile();
        Path logs = Path.of("target", "fault-test-logs");
        cluster = new SampleCluster(jar, dataRoot, logs, ELECTION_TIMEOUT);
        cluster.startAll();
        String leader = cluster.awaitAllAgreeOnALeader(Duration.ofMinutes(3));

        workload = new ClusterWorkload(
                cluster.nodes().stream().map(cluster::baseUrl).toList(), KEYS, CLIENTS, 42);
        workload.start();
        phase = "warming up";
        awaitProgress();

        // 1. The leader crashes: the others elect a successor; the old leader comes back as a follower.
        phase = "killing and restarting the leader";
        cluster.kill(leader);
        faults.add("SIGKILL leader " + leader);
        String second = cluster.awaitLeaderOtherThan(leader, STEP_LIMIT);
        awaitProgress();
        cluster.start(leader);
        faults.add("restart " + leader);
        cluster.awaitAllAgreeOnALeader(STEP_LIMIT);
        awaitProgress();

        // 2. The leader freezes longer than the election timeout: a successor is elected, then the
        //    old leader wakes up still believing it leads, and must not serve stale reads.
        phase = "pausing the leader";
        second = cluster.leader().orElse(second);
        long pausedAt = System.nanoTime();
        cluster.pause(second);
        String third = cluster.awaitLeaderOtherThan(second, STEP_LIMIT);
        awaitProgress();
        cluster.resume(second);
        Duration pausedFor = Duration.ofNanos(System.nanoTime() - pausedAt);
        faults.add("SIGSTOP leader " + second + " for " + pausedFor.toMillis() + " ms, then SIGCONT");
        assertThat(pausedFor).as("the pause outlasts the election timeout").isGreaterThan(ELECTION_TIMEOUT);
        awaitProgress();

        // 3. A follower crashes and comes back.
        phase = "killing and restarting a follower";
        String follower = cluster.aFollowerOf(cluster.leader().orElse(third));
        cluster.kill(follower);
        faults.add("SIGKILL follower " + follower);
        awaitProgress();
        cluster.start(follower);
        faults.add("restart " + follower);

        // Heal: every node up and agreeing on one leader, the clients still making progress.
        phase = "healing";
        cluster.awaitAllAgreeOnALeader(STEP_LIMIT);
        awaitProgress();
        workload.stop();

        History history = workload.history();
        phase = "reading every key through every node";
        readEveryKeyThroughEveryNode(history);
        List<OperationRecord> operations = history.operations();
        long checkStart = System.nanoTime();
        CheckResult result = LinearizabilityChecker.check(operations);
        long checkMillis = (System.nanoTime() - checkStart) / 1_000_000;

        summarized = true;
        System.out.println("FAULT TEST SUMMARY: " + counts(operations) + "; faults: "
                + String.join(", ", faults) + "; verdict: "
                + (result.linearizable() ? "LINEARIZABLE" : "NOT LINEARIZABLE") + " (checked in " + checkMillis
                + " ms); logs in " + logs.toAbsolutePath());
        assertThat(result.linearizable()).as(result.explanation()).isTrue();
        assertThat(workload.unexpectedAnswers())
                .as("answers outside the documented status codes")
                .isEmpty();
    }

    /**
     * The final reads: each node, one after the other, must serve every key linearizably (they
     * join the history, so a lost acknowledged write shows up as a violation), and once writes
     * have stopped every node's local copy must converge to the same versions.
     */
    private void readEveryKeyThroughEveryNode(History history) {
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        for (String node : cluster.nodes()) {
            KeyValueClient reader =
                    new KeyValueClient("final-" + node, history, List.of(cluster.baseUrl(node)), 0, unexpected);
            for (String key : KEYS) {
                await("a linearizable read of " + key + " on " + node)
                        .atMost(STEP_LIMIT)
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> reader.read(key) != null);
            }
        }
        assertThat(unexpected)
                .as("answers outside the documented status codes in the final reads")
                .isEmpty();
        for (String key : KEYS) {
            await("every node's local copy of " + key + " at one version")
                    .atMost(STEP_LIMIT)
                    .pollInterval(Duration.ofMillis(250))
                    .until(
                            () -> cluster.nodes().stream()
                                    .map(node -> cluster.staleVersion(node, key))
                                    .distinct()
                                    .toList(),
                            versions -> versions.size() == 1 && versions.get(0) >= 0);
        }
    }

    private void awaitProgress() {
        long target = workload.count(Outcome.OK) + PROGRESS;
        await(PROGRESS + " more successful operations")
                .atMost(STEP_LIMIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> workload.count(Outcome.OK) >= target);
    }

    private static String counts(List<OperationRecord> operations) {
        return count(operations, Outcome.OK) + " ok, " + count(operations, Outcome.FAILED) + " failed, "
                + count(operations, Outcome.UNKNOWN) + " unknown over " + KEYS.size() + " keys from " + CLIENTS
                + " clients";
    }

    private static long count(List<OperationRecord> operations, Outcome outcome) {
        return operations.stream().filter(record -> record.outcome() == outcome).count();
    }
}
