package dev.replication.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.api.IdempotencyKeyConflictException;
import dev.replication.api.NotAppliedException;
import dev.replication.api.OutcomeUnknownException;
import dev.replication.api.ReadConsistency;
import dev.replication.api.ReplicationException;
import dev.replication.api.ReplicationUnavailableException;
import dev.replication.api.VersionConflictException;
import dev.replication.state.StateResult;
import dev.replication.state.StateResult.Status;
import dev.replication.state.StoredValue;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class FailureTranslationTest {

    private final FailureTranslation failures =
            new FailureTranslation("inventory", Duration.ofMillis(10), Duration.ofMillis(10));

    private static CompletableFuture<byte[]> answered(Status status, StoredValue before, String detail) {
        return CompletableFuture.completedFuture(new StateResult(
                        status,
                        status == Status.APPLIED ? 7 : 0,
                        0,
                        before == null ? 0 : before.version(),
                        before,
                        detail)
                .encode());
    }

    private static StoredValue storedAt(long version) {
        return new StoredValue(new byte[] {1}, version, 0);
    }

    @Test
    void anAppliedWriteAnswersWithItsResult() {
        StateResult result = failures.awaitWrite(answered(Status.APPLIED, null, ""), null, "apple");

        assertThat(result.status()).isEqualTo(Status.APPLIED);
        assertThat(result.version()).isEqualTo(7);
    }

    @Test
    void aVersionConflictIsAnsweredForTheCallerToDecideOn() {
        StateResult result = failures.awaitWrite(answered(Status.VERSION_CONFLICT, storedAt(3), ""), null, "apple");

        assertThat(result.status()).isEqualTo(Status.VERSION_CONFLICT);
        assertThat(result.before().version()).isEqualTo(3);
    }

    @Test
    void theRuntimesOwnFailureIsThrownAsItIs() {
        NotAppliedException notApplied = new NotAppliedException("no leader", null);

        assertThatThrownBy(() -> failures.awaitWrite(CompletableFuture.failedFuture(notApplied), null, "apple"))
                .isSameAs(notApplied);
    }

    @Test
    void aCommandTheRuntimeRefusesAsInvalidFailsAsIllegalArgument() {
        IllegalArgumentException invalid = new IllegalArgumentException("entry too large");

        assertThatThrownBy(() -> failures.awaitWrite(CompletableFuture.failedFuture(invalid), null, "apple"))
                .isSameAs(invalid);
    }

    @Test
    void anUnexpectedFailureIsAnOutcomeUnknown() {
        CompletableFuture<byte[]> broken = CompletableFuture.failedFuture(new IOException("connection reset"));

        assertThatThrownBy(() -> failures.awaitWrite(broken, null, "apple"))
                .isInstanceOf(OutcomeUnknownException.class)
                .hasMessageContaining("key 'apple') failed unexpectedly (java.io.IOException: connection reset)")
                .hasMessageContaining("it may or may not be applied");
    }

    @Test
    void aWriteWithoutAnAnswerInTimeIsAnOutcomeUnknown() {
        assertThatThrownBy(() -> failures.awaitWrite(new CompletableFuture<>(), null, "apple"))
                .isInstanceOf(OutcomeUnknownException.class)
                .hasMessageContaining("got no answer within PT0.01S; it may still be applied");
    }

    @Test
    void anInterruptedWaitIsAnOutcomeUnknownAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> failures.awaitWrite(new CompletableFuture<>(), null, "apple"))
                    .isInstanceOf(OutcomeUnknownException.class)
                    .hasMessageContaining("interrupted while waiting for a write");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void anIdempotencyKeyConflictIsRefusedNamingTheKey() {
        CompletableFuture<byte[]> refused = answered(
                Status.IDEMPOTENCY_KEY_CONFLICT,
                null,
                "idempotency key 'req-42' was already used for a different request");

        assertThatThrownBy(() -> failures.awaitWrite(refused, "req-42", "apple"))
                .isInstanceOfSatisfying(
                        IdempotencyKeyConflictException.class,
                        conflict -> assertThat(conflict.idempotencyKey()).isEqualTo("req-42"))
                .hasMessageContaining("this request was not applied");
    }

    @Test
    void aDiscardedAnswerIsAnOutcomeUnknown() {
        CompletableFuture<byte[]> discarded = answered(Status.ANSWER_DISCARDED, null, "answer already acknowledged");

        assertThatThrownBy(() -> failures.awaitWrite(discarded, null, "apple"))
                .isInstanceOf(OutcomeUnknownException.class)
                .hasMessageContaining("whether this write was applied is unknown");
    }

    @Test
    void aMalformedCommandIsReportedAsARuntimeBugThatAppliedNothing() {
        CompletableFuture<byte[]> malformed = answered(Status.MALFORMED, null, "truncated command");

        assertThatThrownBy(() -> failures.awaitWrite(malformed, null, "apple"))
                .isExactlyInstanceOf(ReplicationException.class)
                .hasMessageContaining("the cluster refused the write: truncated command")
                .hasMessageContaining("nothing was applied");
    }

    @Test
    void aConditionalWriteThatFoundAnotherVersionFailsNamingIt() {
        StateResult conflict = new StateResult(Status.VERSION_CONFLICT, 0, 0, 3, storedAt(3), "");

        assertThatThrownBy(() -> failures.requireApplied(conflict, "apple", 2))
                .isInstanceOfSatisfying(VersionConflictException.class, refused -> {
                    assertThat(refused.expectedVersion()).isEqualTo(2);
                    assertThat(refused.currentVersion()).isEqualTo(3);
                })
                .hasMessageContaining("key 'apple' is at version 3, not the expected 2");
    }

    @Test
    void aConditionalWriteOnAnAbsentKeySaysItIsAbsent() {
        StateResult conflict = new StateResult(Status.VERSION_CONFLICT, 0, 0, 0, null, "");

        assertThatThrownBy(() -> failures.requireApplied(conflict, "apple", 2))
                .hasMessageContaining("key 'apple' is at version 0 (absent), not the expected 2");
    }

    @Test
    void aReadBarrierThatFailsIsUnavailable() {
        CompletableFuture<Void> failed = CompletableFuture.failedFuture(new IOException("leader unreachable"));

        assertThatThrownBy(() -> failures.awaitReadable(failed, ReadConsistency.LINEARIZABLE))
                .isExactlyInstanceOf(ReplicationUnavailableException.class)
                .hasMessageContaining("could not be read at LINEARIZABLE: java.io.IOException: leader unreachable");
    }

    @Test
    void aReadBarrierWithoutAnAnswerInTimeIsUnavailable() {
        assertThatThrownBy(() -> failures.awaitReadable(new CompletableFuture<>(), ReadConsistency.LINEARIZABLE))
                .isExactlyInstanceOf(ReplicationUnavailableException.class)
                .hasMessageContaining("could not be read at LINEARIZABLE within PT0.01S");
    }

    @Test
    void aLongKeyIsCutShortInMessages() {
        String longKey = "k".repeat(200);

        assertThat(FailureTranslation.describe(longKey)).isEqualTo("k".repeat(80) + "...");
    }
}
