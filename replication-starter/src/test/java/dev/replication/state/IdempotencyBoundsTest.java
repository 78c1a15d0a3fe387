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
            byte[] payload = leader.stamp(
                    CommandEnvelope.create("", 0, 0, "order-17", put.encode()).encode());
            LogEntry entry = LogEntry.command(1, index, payload);
            leaderAnswers.add(leader.apply(entry));
            followerAnswers.add(follower.apply(entry));
            wallClock.addAndGet(Duration.ofHours(2).toMillis());
        }

        assertThat(followerAnswers).containsExactlyElementsOf(leaderAnswers);
        assertThat(follower.snapshot()).isEqualTo(leader.snapshot());
    }

    @Test
    void atTheKeyBoundTheOldestKeyIsForgottenFirst() {
        LogScript log = LogScript.withLimits(IdempotencyLimits.DEFAULTS.withMaxIdempotencyKeys(2));
        log.withKey("first", "", 0, put("a", "1"));
        log.withKey("second", "", 0, put("b", "1"));
        log.withKey("third", "", 0, put("c", "1"));

        StateResult retryOfSecond = log.withKey("second", "", 0, put("b", "1"));
        StateResult retryOfFirst = log.withKey("first", "", 0, put("a", "1"));

        assertThat(retryOfSecond.version())
                .as("still remembered: answered, not applied again")
                .isEqualTo(2);
        assertThat(retryOfFirst.version())
                .as("forgotten: applied again as a new request")
                .isEqualTo(5);
        assertThat(log.stateMachine.idempotencyKeyCount()).isEqualTo(2);
        assertThat(log.stateMachine.evictedIdempotencyKeyCount()).isEqualTo(2);
    }

    @Test
    void aRetriedKeyedWriteIsAnsweredWithTheVersionsOfTheFirstButNoValue() {
        LogScript log = new LogScript();
        log.put("apple", "1");
        StateResult first = log.withKey("order-17", "", 0, put("apple", "2"));

        StateResult retry = log.withKey("order-17", "", 0, put("apple", "2"));

        assertThat(retry).isEqualTo(first);
        assertThat(retry.version()).isEqualTo(2);
        assertThat(retry.beforeVersion()).isEqualTo(1);
        assertThat(retry.before()).isNull();
        assertThat(retry.knowsBefore()).isFalse();
    }

    @Test
    void aNewLeaderWithSmallerBoundsShrinksTheTableAtItsFirstEntry() {
        LogScript log = new LogScript();
        for (int i = 0; i < 5; i++) {
            log.withKey("request-" + i, "", 0, put("k" + i, "v"));
        }

        log.stampingLimits(IdempotencyLimits.DEFAULTS.withMaxIdempotencyKeys(3)).put("other", "v");

        assertThat(log.stateMachine.idempotencyKeyCount()).isEqualTo(3);
        assertThat(log.stateMachine.idempotencyLimitsInEffect().maxIdempotencyKeys())
                .isEqualTo(3);
    }

    @Test
    void sessionAnswersBeyondTheByteBoundAreDiscardedLeastRecentlyActiveFirst() {
        LogScript log = LogScript.withLimits(
                IdempotencyLimits.DEFAULTS.withMaxSessionBytes(IdempotencyLimits.MIN_SESSION_BYTES));
        byte[] large = new byte[40_000];
        // Client a leaves an answer unacknowledged (sequence 1 still outstanding), then b writes.
        log.fromClient("a", 1, 1, new StateCommand.Put(MAP, bytes("apple"), large));
        log.fromClient("a", 2, 1, new StateCommand.Put(MAP, bytes("apple"), large));
        log.fromClient("b", 1, 1, new StateCommand.Put(MAP, bytes("apple"), large));

        StateResult retryOfA = log.fromClient("a", 1, 1, new StateCommand.Put(MAP, bytes("apple"), large));

        assertThat(retryOfA.status()).isEqualTo(StateResult.Status.ANSWER_DISCARDED);
        assertThat(log.stateMachine.get(MAP, bytes("apple")).version())
                .as("not applied again")
                .isEqualTo(3);
        assertThat(log.stateMachine.clientSessionBytes()).isLessThanOrEqualTo(IdempotencyLimits.MIN_SESSION_BYTES);
    }

    private static StateCommand put(String key, String value) {
        return new StateCommand.Put(MAP, bytes(key), bytes(value));
    }
}
