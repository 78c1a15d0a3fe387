package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.core.AppendRequest;
import dev.replication.core.AppendResponse;
import dev.replication.core.LogEntry;
import dev.replication.core.Message;
import dev.replication.core.VoteRequest;
import dev.replication.core.VoteResponse;
import dev.replication.log.CrashSimulatingFileLayer;
import dev.replication.log.HardStateFile;
import dev.replication.log.LogOptions;
import dev.replication.log.SegmentedLog;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.StateCommand;
import dev.replication.transport.InboundHandler;
import dev.replication.transport.PeerTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node performs the core's effects in the safe order. Each test simulates a power loss at
 * the very moment a message leaves (or a write is acknowledged) and checks that what the message
 * promised survived: with a file layer that forgets everything not fsync'd, an acknowledgement
 * sent before its fsync loses data and fails the test.
 */
class NodeDurabilityTest {

    static final Path DATA = Path.of("/node");
    static final Duration WAIT = Duration.ofSeconds(20);

    final CrashSimulatingFileLayer disk = new CrashSimulatingFileLayer();
    final RecordingTransport transport = new RecordingTransport();
    ReplicationNode node;

    /** Sends nothing; records what would leave, and can crash the disk as it leaves. */
    static final class RecordingTransport implements PeerTransport {
        final List<Message> sent = new CopyOnWriteArrayList<>();
        volatile Predicate<Message> crashWhenSending = message -> false;
        volatile Runnable crash = () -> {};
        volatile InboundHandler handler;

        @Override
        public void start(InboundHandler handler) {
            this.handler = handler;
        }

        @Override
        public void send(Message message) {
            if (crashWhenSending.test(message)) {
                crash.run();
            }
            sent.add(message);
        }

        @Override
        public CompletableFuture<byte[]> call(String peerId, String operation, byte[] body, Duration timeout) {
            return CompletableFuture.failedFuture(new IllegalStateException("no peers in this test"));
        }

        @Override
        public void close() {}
    }

    /** A member of three whose peers never speak: it stays a follower and only answers. */
    void startFollower() {
        startNode(Set.of("n1", "n2", "n3"), Duration.ofSeconds(30));
    }

    /** A cluster of one: it elects itself and commits alone. */
    void startSingleNode() {
        startNode(Set.of("n1"), Duration.ofMillis(500));
    }

    void startNode(Set<String> voters, Duration electionTimeout) {
        SegmentedLog log = SegmentedLog.open(DATA.resolve("log"), LogOptions.defaults(), disk);
        HardStateFile hardState = new HardStateFile(DATA.resolve("hard-state"), disk);
        NodeSettings settings = new NodeSettings(
                "n1",
                voters,
                Duration.ofMillis(50),
                electionTimeout,
                Duration.ofMillis(100),
                4,
                64,
                1 << 20,
                1000,
                1000);
        node = new ReplicationNode(settings, log, hardState, transport, new KeyValueStateMachine(), null, null);
        node.start();
    }

    @AfterEach
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aGrantedVoteIsDurableBeforeItIsSent() {
        startFollower();
        transport.crashWhenSending =
                message -> message instanceof VoteResponse vote && vote.granted() && !vote.preVote();
        transport.crash = disk::crash;

        transport.handler.onMessage(new VoteRequest("n2", "n1", 1, false, 0, 0));

        await().atMost(WAIT).until(() -> transport.sent.stream().anyMatch(transport.crashWhenSending));
        assertThat(new HardStateFile(DATA.resolve("hard-state"), disk).load().votedFor())
                .isEqualTo("n2");
    }

    @Test
    void anAppendIsDurableBeforeItIsAcknowledged() {
        startFollower();
        // A heartbeat first, so the generation is already durable and only the log fsync is held.
        transport.handler.onMessage(new AppendRequest("n2", "n1", 1, 0, 0, List.of(), 0, 1));
        await().atMost(WAIT).until(() -> transport.sent.stream().anyMatch(AppendResponse.class::isInstance));
        transport.crashWhenSending = message ->
                message instanceof AppendResponse response && response.success() && response.matchIndex() >= 3;
        transport.crash = disk::crash;
        List<LogEntry> entries = List.of(
                LogEntry.noop(1, 1), LogEntry.command(1, 2, bytes("two")), LogEntry.command(1, 3, bytes("three")));
        disk.holdForces();

        transport.handler.onMessage(new AppendRequest("n2", "n1", 1, 0, 0, entries, 0, 2));
        await().atMost(WAIT).until(() -> disk.heldForces() > 0);
        disk.releaseForces();

        await().atMost(WAIT).until(() -> transport.sent.stream().anyMatch(transport.crashWhenSending));
        SegmentedLog recovered = SegmentedLog.open(DATA.resolve("log"), LogOptions.defaults(), disk);
        assertThat(recovered.lastIndex()).isGreaterThanOrEqualTo(3);
        assertThat(recovered.entries(1, 3, Long.MAX_VALUE)).isEqualTo(entries);
        recovered.close();
    }

    @Test
    void aWriteIsDurableBeforeItIsAcknowledgedToItsCaller() throws Exception {
        startSingleNode();
        await().atMost(WAIT).until(node::isLeader);
        byte[] put = new StateCommand.Put("kv", bytes("k"), bytes("v")).encode();

        CompletableFuture<byte[]> written = node.submit(put, null, WAIT).thenApply(result -> {
            disk.crash();
            return result;
        });

        written.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        SegmentedLog recovered = SegmentedLog.open(DATA.resolve("log"), LogOptions.defaults(), disk);
        assertThat(recovered.lastIndex()).isGreaterThanOrEqualTo(2);
        recovered.close();
    }

    @Test
    void aLeaderHoldingItsOwnFsyncDoesNotAcknowledgeAWrite() throws Exception {
        startSingleNode();
        await().atMost(WAIT).until(node::isLeader);
        disk.holdForces();

        CompletableFuture<byte[]> written =
                node.submit(new StateCommand.Put("kv", bytes("k"), bytes("held")).encode(), null, WAIT);

        await().atMost(WAIT).until(() -> disk.heldForces() > 0);
        assertThat(written).isNotDone();
        disk.releaseForces();
        assertThat(written.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotEmpty();
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
