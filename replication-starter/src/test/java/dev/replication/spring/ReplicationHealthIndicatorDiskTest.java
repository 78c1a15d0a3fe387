package dev.replication.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.core.Message;
import dev.replication.log.CrashSimulatingFileLayer;
import dev.replication.log.HardStateFile;
import dev.replication.log.LogOptions;
import dev.replication.log.SegmentedLog;
import dev.replication.runtime.NodeSettings;
import dev.replication.runtime.ReplicationNode;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.StateCommand;
import dev.replication.transport.InboundHandler;
import dev.replication.transport.PeerTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** Readiness of a node whose disk is full or stalled: DOWN, saying which and for how long. */
class ReplicationHealthIndicatorDiskTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    final CrashSimulatingFileLayer disk = new CrashSimulatingFileLayer();
    ReplicationNode node;
    ReplicationHealthIndicator indicator;

    @BeforeEach
    void startSingleNode() {
        Path data = Path.of("/node");
        SegmentedLog log = SegmentedLog.open(
                data.resolve("log"),
                LogOptions.defaults()
                        .withDiskFullRetryInterval(Duration.ofMillis(20))
                        .withStallThreshold(Duration.ofMillis(50)),
                disk);
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
                new HardStateFile(data.resolve("hard-state"), disk),
                new SilentTransport(),
                new KeyValueStateMachine(),
                null,
                null);
        node.start();
        indicator = new ReplicationHealthIndicator(node, 1000);
        await().atMost(WAIT).until(() -> indicator.health().getStatus().equals(Status.UP));
    }

    @AfterEach
    void stopNode() {
        disk.releaseForces();
        disk.failWritesAfter(Long.MAX_VALUE);
        node.close();
    }

    @Test
    void aFullDiskMakesTheNodeNotReadySayingSo() {
        disk.failWritesAfter(0);
        node.submit(put(), null, WAIT);
        await().atMost(WAIT).until(() -> node.logHealth().diskFull() != null);

        Health health = indicator.health();

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(String.valueOf(health.getDetails().get("reason")))
                .startsWith("disk full")
                .contains("/node/log");
    }

    @Test
    void aPersistStalledPastTheThresholdMakesTheNodeNotReadySayingForHowLong() {
        disk.holdForces();
        node.submit(put(), null, WAIT);
        await().atMost(WAIT).until(() -> node.logHealth().stalled());

        Health health = indicator.health();

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(String.valueOf(health.getDetails().get("reason")))
                .startsWith("disk stalled")
                .contains(" ms");
        assertThat((Long) health.getDetails().get("persistInProgressMillis")).isGreaterThan(50);
    }

    private static byte[] put() {
        return new StateCommand.Put("kv", "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8))
                .encode();
    }

    private static final class SilentTransport implements PeerTransport {
        @Override
        public void start(InboundHandler handler) {}

        @Override
        public void send(Message message) {}

        @Override
        public CompletableFuture<byte[]> call(String peerId, String operation, byte[] body, Duration timeout) {
            return CompletableFuture.failedFuture(new IllegalStateException("no peers in this test"));
        }

        @Override
        public void close() {}
    }
}
