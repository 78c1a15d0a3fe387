package dev.replication.state;

import static dev.replication.state.LogScript.MAP;
import static dev.replication.state.LogScript.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Idempotent Receiver rules of the state machine: client sessions and idempotency keys. */
class ClientSessionsTest {

    private static final StateCommand PUT_APPLE = new StateCommand.Put(MAP, bytes("apple"), bytes("3"));
    private static final StateCommand PUT_PEAR = new StateCommand.Put(MAP, bytes("pear"), bytes("5"));

    private final LogScript log = LogScript.withRetention(Duration.ofHours(24));

    @Test
    void aRetriedProposalIsAnsweredFromTheSessionAndNotAppliedAgain() {
        StateResult first = log.fromClient("n2:incarnation-a", 1, 1, PUT_APPLE);
        log.put("apple", "overwritten by someone else");

        StateResult retry = log.fromClient("n2:incarnation-a", 1, 1, PUT_APPLE);

        assertThat(retry).isEqualTo(first);
        assertThat(log.stateMachine.get(MAP, bytes("apple")).value()).isEqualTo(bytes("overwritten by someone else"));
    }

    @Test
    void theSameSequenceFromAnotherClientIsANewRequest() {
        log.fromClient("n2:incarnation-a", 1, 1, PUT_APPLE);

        StateResult other = log.fromClient("n2:incarnation-b", 1, 1, PUT_APPLE);

        assertThat(other.version()).isEqualTo(2);
        assertThat(log.stateMachine.get(MAP, bytes("apple")).version()).isEqualTo(2);
    }

    @Test
    void aSequenceReusedForADifferentRequestIsRefusedAndNotApplied() {
        log.fromClient("n2:a", 1, 1, PUT_APPLE);

        StateResult reused = log.fromClient("n2:a", 1, 1, PUT_PEAR);

        assertThat(reused.status()).isEqualTo(StateResult.Status.SEQUENCE_REUSED);
        assertThat(reused.detail()).contains("client n2:a reused sequence 1 for a different request");
        assertThat(log.stateMachine.get(MAP, bytes("pear"))).isNull();
    }

    @Test
    void pipelinedRequestsAppliedOutOfOrderAreEachAppliedOnce() {
        log.fromClient("n2:a", 2, 1, PUT_PEAR);
        StateResult first = log.fromClient("n2:a", 1, 1, PUT_APPLE);

        StateResult retryOfSecond = log.fromClient("n2:a", 2, 1, PUT_PEAR);

        assertThat(first.status()).isEqualTo(StateResult.Status.APPLIED);
        assertThat(retryOfSecond.version()).isEqualTo(1);
        assertThat(log.stateMachine.get(MAP, bytes("pear")).version()).isEqualTo(1);
    }

    @Test
    void answersBelowTheFirstUnacknowledgedSequenceAreDiscarded() {
        log.fromClient("n2:a", 1, 1, PUT_APPLE);
        log.fromClient("n2:a", 2, 2, PUT_PEAR);

        StateResult late = log.fromClient("n2:a", 1, 1, PUT_APPLE);

        assertThat(late.status()).isEqualTo(StateResult.Status.ANSWER_DISCARDED);
        assertThat(log.stateMachine.get(MAP, bytes("apple")).version()).isEqualTo(1);
    }

    @Test
    void anIdempotencyKeyRetriedThroughAnotherNodeIsAnsweredWithTheFirstResult() {
        StateResult first = log.withKey("order-17", "n1:a", 1, PUT_APPLE);

        StateResult retry = log.withKey("order-17", "n3:c", 9, PUT_APPLE);

        assertThat(retry).isEqualTo(first);
        assertThat(log.stateMachine.get(MAP, bytes("apple")).version()).isEqualTo(1);
    }

    @Test
    void anIdempotencyKeyWithoutAClientSessionIsAlsoAppliedOnce() {
        StateResult first = log.withKey("order-17", "", 0, PUT_APPLE);

        StateResult retry = log.withKey("order-17", "", 0, PUT_APPLE);

        assertThat(retry).isEqualTo(first);
        assertThat(log.stateMachine.appliedIndex()).isEqualTo(2);
        assertThat(log.stateMachine.get(MAP, bytes("apple")).version()).isEqualTo(1);
    }

    @Test
    void aCachedConflictIsAnsweredAgainEvenAfterTheConflictIsGone() {
        log.put("apple", "1");
        StateCommand createOnly = new StateCommand.PutIfVersion(MAP, bytes("apple"), bytes("2"), 0);
        StateResult first = log.withKey("create-apple", "", 0, createOnly);
        log.delete("apple");

        StateResult retry = log.withKey("create-apple", "", 0, createOnly);

        assertThat(first.status()).isEqualTo(StateResult.Status.VERSION_CONFLICT);
        assertThat(retry).isEqualTo(first);
        assertThat(log.stateMachine.get(MAP, bytes("apple"))).isNull();
    }

    @Test
    void anIdempotencyKeyReusedForADifferentRequestIsRefusedAndNotApplied() {
        log.withKey("order-17", "n1:a", 1, PUT_APPLE);

        StateResult reused = log.withKey("order-17", "n1:a", 2, PUT_PEAR);

        assertThat(reused.status()).isEqualTo(StateResult.Status.IDEMPOTENCY_KEY_CONFLICT);
        assertThat(reused.detail()).contains("idempotency key 'order-17' was already used for a different request");
        assertThat(log.stateMachine.get(MAP, bytes("pear"))).isNull();
    }

    @Test
    void anIdempotencyKeyIsRememberedForTheWholeRetention() {
        StateResult first = log.withKey("order-17", "", 0, PUT_APPLE);
        log.advance(Duration.ofHours(24));

        StateResult retry = log.withKey("order-17", "", 0, PUT_APPLE);

        assertThat(retry).isEqualTo(first);
    }

    @Test
    void anIdempotencyKeyExpiresWhenLogTimePassesTheRetention() {
        log.withKey("order-17", "", 0, PUT_APPLE);
        log.advance(Duration.ofHours(24).plusMillis(1));

        StateResult afterExpiry = log.withKey("order-17", "", 0, PUT_APPLE);

        assertThat(afterExpiry.version()).isEqualTo(2);
        assertThat(log.stateMachine.idempotencyKeyCount()).isEqualTo(1);
    }

    @Test
    void anIdleClientSessionExpiresWhenLogTimePassesTheRetention() {
        log.fromClient("n2:old-incarnation", 1, 1, PUT_APPLE);
        log.advance(Duration.ofHours(25));

        log.fromClient("n2:new-incarnation", 1, 1, PUT_PEAR);

        assertThat(log.stateMachine.clientSessionCount()).isEqualTo(1);
    }

    @Test
    void expiryFollowsLogTimeNotTheNumberOfEntries() {
        log.withKey("order-17", "", 0, PUT_APPLE);
        for (int i = 0; i < 100; i++) {
            log.put("k" + i, "v");
        }

        assertThat(log.stateMachine.idempotencyKeyCount()).isEqualTo(1);
    }

    @Test
    void sessionsAndKeysSurviveASnapshotRestore() {
        StateResult first = log.withKey("order-17", "n1:a", 1, PUT_APPLE);
        KeyValueStateMachine restored = new KeyValueStateMachine(Duration.ofHours(24));
        restored.restore(log.stateMachine.snapshot());
        LogScript continued = new LogScript(restored);

        StateResult retry = continued.withKey("order-17", "n3:c", 5, PUT_APPLE);

        assertThat(retry).isEqualTo(first);
        assertThat(restored.get(MAP, bytes("apple")).version()).isEqualTo(1);
    }
}
