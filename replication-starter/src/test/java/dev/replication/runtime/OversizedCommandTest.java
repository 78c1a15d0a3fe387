package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.api.EntryTooLargeException;
import dev.replication.core.Role;
import dev.replication.log.CrashSimulatingFileLayer;
import dev.replication.log.HardStateFile;
import dev.replication.log.LogOptions;
import dev.replication.log.SegmentedLog;
import dev.replication.state.CommandEnvelope;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.StateCommand;
import dev.replication.state.StateResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A command the log would refuse never reaches it: the node refuses it before proposing, on the
 * caller's thread, instead of failing (with every follower) when the log refuses the record.
 */
class OversizedCommandTest {

    static final Path DATA = Path.of("/node");
    static final Duration WAIT = Duration.ofSeconds(20);
    static final int MAX_RECORD_BYTES = 4096;
    /** Framing the log adds to a payload (length, CRC, forced length, generation, index, type). */
    static final int RECORD_OVERHEAD = MAX_RECORD_BYTES
            - LogOptions.defaults().withMaxRecordBytes(MAX_RECORD_BYTES).maxPayloadBytes();
    /** This node's client session id: its node id, a slash and a UUID. */
    static final int CLIENT_ID_BYTES = ("n1/" + UUID.randomUUID()).length();

    final CrashSimulatingFileLayer disk = new CrashSimulatingFileLayer();
    ReplicationNode node;

    @BeforeEach
    void startSingleNode() {
        SegmentedLog log = SegmentedLog.open(
                DATA.resolve("log"), LogOptions.defaults().withMaxRecordBytes(MAX_RECORD_BYTES), disk);
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
        await().atMost(WAIT).until(() -> node.roleState().role() == Role.LEADER);
    }

    @AfterEach
    void stopNode() {
        node.close();
    }

    @Test
    void aCommandOneByteOverTheLogsLimitIsRefusedAndTheNodeKeepsWorking() throws Exception {
        CompletableFuture<byte[]> oversized =
                node.submit(commandForRecordOf(MAX_RECORD_BYTES + 1), null, Duration.ofSeconds(5));

        assertThat(oversized)
                .failsWithin(WAIT)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(EntryTooLargeException.class)
                .withMessageContaining("over the largest log record");
        assertThat(node.failure()).isNull();
        byte[] atTheLimit = node.submit(commandForRecordOf(MAX_RECORD_BYTES), null, Duration.ofSeconds(5))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(StateResult.decode(atTheLimit).status()).isEqualTo(StateResult.Status.APPLIED);
    }

    /** A put whose log record, once wrapped in this node's envelope, has exactly {@code recordBytes}. */
    private static byte[] commandForRecordOf(int recordBytes) {
        int envelopeBytes = recordBytes - RECORD_OVERHEAD;
        int commandBytes = envelopeBytes - CommandEnvelope.encodedSize(CLIENT_ID_BYTES, 0, 0);
        byte[] empty = new StateCommand.Put("kv", "k".getBytes(StandardCharsets.UTF_8), new byte[0]).encode();
        return new StateCommand.Put("kv", "k".getBytes(StandardCharsets.UTF_8), new byte[commandBytes - empty.length])
                .encode();
    }
}
