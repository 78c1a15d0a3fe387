package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.replication.api.NotAppliedException;
import dev.replication.log.CrashSimulatingFileLayer;
import dev.replication.log.HardStateFile;
import dev.replication.log.LogOptions;
import dev.replication.log.SegmentedLog;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.StateCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node whose disk fills up keeps running: the write the full disk caught waits, never
 * acknowledged, new writes are refused as certainly not applied, and once space returns the
 * node writes again without a restart.
 */
class NodeDiskFullTest {

    static final Path DATA = Path.of("/node");
    static final Duration WAIT = Duration.ofSeconds(20);

    final CrashSimulatingFileLayer disk = new CrashSimulatingFileLayer();
    ReplicationNode node;

    @BeforeEach
    void startSingleNode() throws Exception {
        SegmentedLog log = SegmentedLog.open(
                DATA.resolve("log"), LogOptions.defaults().withDiskFullRetryInterval(Duration.ofMillis(20)), disk);
        HardStateFile hardState = new HardStateFile(DATA.resolve("hard-state"), disk);
        NodeSettings settings = new NodeSettings(
                "n1",
                Set.of("n1"),
                Duration.ofMillis(50),
                Duration.ofMillis(500),
                Duration.ofMillis(100),
                4,
                64,
                1 << 20,
                1000,
                1000);
        node = new ReplicationNode(
                settings,
                log,
                hardState,
                new NodeDurabilityTest.RecordingTransport(),
                new KeyValueStateMachine(),
                null,
                null);
        node.start();
        await().atMost(WAIT).until(node::isLeader);
        node.submit(put("before"), null, WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @AfterEach
    void stopNode() {
        disk.failWritesAfter(Long.MAX_VALUE);
        node.close();
    }

    /** Fills the disk under a write and returns that write, which now waits for space. */
    private CompletableFuture<byte[]> writeCaughtByAFullDisk() {
        disk.failWritesAfter(0);
        CompletableFuture<byte[]> caught = node.submit(put("caught"), null, WAIT);
        await().atMost(WAIT).until(() -> node.logHealth().diskFull() != null);
        return caught;
    }

    @Test
    void whileTheDiskIsFullANewWriteIsRefusedAsNotAppliedNamingTheFullDisk() {
        writeCaughtByAFullDisk();

        CompletableFuture<byte[]> refused = node.submit(put("refused"), null, WAIT);

        assertThatThrownBy(() -> refused.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .hasCauseInstanceOf(NotAppliedException.class)
                .hasMessageContaining("node n1 cannot write")
                .hasMessageContaining("is full");
        assertThat(node.failure()).isNull();
    }

    @Test
    void theWriteCaughtByAFullDiskIsAppliedOnceSpaceReturns() throws Exception {
        CompletableFuture<byte[]> caught = writeCaughtByAFullDisk();
        assertThat(caught).isNotDone();

        disk.failWritesAfter(Long.MAX_VALUE);

        assertThat(caught.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotEmpty();
        assertThat(node.submit(put("after"), null, WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isNotEmpty();
        assertThat(node.failure()).isNull();
    }

    @Test
    void theStatusSaysTheDiskIsFull() throws Exception {
        writeCaughtByAFullDisk();

        NodeStatus status = node.status().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(status.storage().diskFull()).contains("/node/log").contains("No space left on device");
    }

    private static byte[] put(String value) {
        return new StateCommand.Put("kv", "k".getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8))
                .encode();
    }
}
