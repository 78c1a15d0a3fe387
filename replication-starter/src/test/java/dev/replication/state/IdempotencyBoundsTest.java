package dev.replication.state;

import static dev.replication.state.LogScript.MAP;
import static dev.replication.state.LogScript.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.core.LogEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What the Idempotent Receiver's memory costs, and that its bounds are the cluster's, not a node's. */
class IdempotencyBoundsTest {

    private static final long START_MILLIS = 1_700_000_000_000L;

    @Test
    void anIdempotencyKeyCostsTheSameWhateverTheSizeOfTheValueItOverwrote() {
        LogScript log = new LogScript();
        byte[] large = new byte[10_000];
        Arrays.fill(large, (byte) 'x');
        log.apply(new StateCommand.Put(MAP, bytes("apple"), large));
        int before = log.stateMachine.snapshot().length;

        for (int i = 0; i < 100; i++) {
            log.withKey("request-" + i, "", 0, new StateCommand.Put(MAP, bytes("apple"), large));
        }

        int bytesPerKey = (log.stateMachine.snapshot().length - before) / 100;
        assertThat(bytesPerKey).isLessThan(100);
    }

    @Test
    void nodesConfiguredWithDifferentRetentionsForgetTheSameKeysAtTheSameEntry() {
        AtomicLong wallClock = new AtomicLong(START_MILLIS);
        KeyValueStateMachine leader = new KeyValueStateMachine(Duration.ofHours(1), wallClock::get);
        KeyValueStateMachine follower = new KeyValueStateMachine(Duration.ofHours(24), wallClock::get);
        List<byte[]> leaderAnswers = new ArrayList<>();
        List<byte[]> followerAnswers = new ArrayList<>();
        StateCommand put = new StateCommand.Put(MAP, bytes("apple"), bytes("3"));
        for (int index = 1; index <= 3; index++) {
            byte[] payload = leader.stamp(CommandEnvelope.create("", 0, 0, "order-17", put.encode()).encode());
            LogEntry entry = LogEntry.command(1, index, payload);
            leaderAnswers.add(leader.apply(entry));
            followerAnswers.add(follower.apply(entry));
            wallClock.addAndGet(Duration.ofHours(2).toMillis());
        }

        assertThat(followerAnswers).containsExactlyElementsOf(leaderAnswers);
        assertThat(follower.snapshot()).isEqualTo(leader.snapshot());
    }
}
