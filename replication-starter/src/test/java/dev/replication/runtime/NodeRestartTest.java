package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.core.AppendResponse;
import dev.replication.core.LogEntry;
import dev.replication.state.CommandEnvelope;
import dev.replication.state.HybridClock;
import dev.replication.state.StateCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A node restarted over a log it wrote before: it replays it without going deaf, and says so. */
class NodeRestartTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final int STORED = 200;

    final TestNode test = new TestNode();

    @AfterEach
    void stop() {
        test.stateMachine.release();
        test.close();
    }

    @Test
    void aNodeReplayingItsLogAnswersItsLeaderBeforeTheReplayEnds() throws Exception {
        test.storedBefore(1, storedCommands());
        AtomicLong appliedWhenAnswered = new AtomicLong(-1);
        ReplicationNode node = test.startFollower(1000);
        long[] heartbeat = {-1};
        test.peers.onSend = message -> {
            if (message instanceof AppendResponse response && response.round() == heartbeat[0]) {
                appliedWhenAnswered.set(node.appliedIndex());
            }
        };
        test.stateMachine.beforeApply = entry -> {
            if (entry.index() == 20) {
                heartbeat[0] = test.fromLeader(STORED, List.of(), STORED);
            }
        };

        test.fromLeader(STORED, List.of(), STORED);

        await().atMost(WAIT).until(() -> node.appliedIndex() == STORED && appliedWhenAnswered.get() >= 0);
        assertThat(appliedWhenAnswered.get()).isLessThan(STORED);
    }

    @Test
    void aRestartedNodeIsCatchingUpUntilItAppliedWhatItsLeaderHadCommitted() throws Exception {
        test.storedBefore(1, storedCommands());
        ReplicationNode node = test.startFollower(1000);
        assertThat(node.catchingUp()).contains("commit index");
        assertThat(node.status().get(WAIT.toSeconds(), TimeUnit.SECONDS).catchingUp())
                .isNotNull();
        test.stateMachine.holdAt(150);

        test.fromLeader(STORED, List.of(), STORED);
        await().atMost(WAIT).until(test.stateMachine::isHolding);
        assertThat(node.catchingUp()).contains("applied 149 of 200");
        test.stateMachine.release();

        await().atMost(WAIT).until(() -> node.catchingUp() == null);
        assertThat(node.appliedIndex()).isEqualTo(STORED);
    }

    @Test
    void aRestartedLeaderStampsItsWritesLaterThanEveryStampInItsLog() throws Exception {
        long stored = HybridClock.timestamp(
                System.currentTimeMillis() + Duration.ofHours(1).toMillis(), 0);
        test.storedBefore(
                1, List.of(LogEntry.noop(1, 1), LogEntry.command(1, 2, CommandEnvelope.stamp(put("a"), stored))));
        ReplicationNode node = test.startSingle();
        await().atMost(WAIT).until(node::isLeader);

        node.submit(new StateCommand.Put("kv", bytes("b"), bytes("b")).encode(), null, WAIT)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);

        LogEntry written = test.log.entry(test.log.lastIndex());
        assertThat(CommandEnvelope.timestampOf(written.payload())).isGreaterThan(stored);
    }

    private static List<LogEntry> storedCommands() {
        List<LogEntry> entries = new ArrayList<>();
        entries.add(LogEntry.noop(1, 1));
        for (long index = 2; index <= STORED; index++) {
            entries.add(
                    LogEntry.command(1, index, CommandEnvelope.stamp(put("k" + index), HybridClock.timestamp(1, 0))));
        }
        return entries;
    }

    private static byte[] put(String key) {
        byte[] command = new StateCommand.Put("kv", bytes(key), new byte[100]).encode();
        return CommandEnvelope.create("", 0, 0, null, command).encode();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
