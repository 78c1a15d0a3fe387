package dev.replication.state;

import static dev.replication.state.LogScript.MAP;
import static dev.replication.state.LogScript.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.core.EntryType;
import dev.replication.core.LogEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Change capture for incremental checkpoints: what a delta holds, and that deltas rebuild the state. */
class CheckpointCaptureTest {

    @Test
    void aDeltaHoldsOnlyTheKeysWrittenOrDeletedSinceThePreviousCapture() {
        LogScript log = new LogScript();
        for (int i = 0; i < 100; i++) {
            log.put("key-" + i, "v" + i);
        }
        log.stateMachine.captureChanges();

        log.put("key-7", "changed");
        log.delete("key-8");
        log.put("key-new", "new");
        CheckpointDelta delta = log.stateMachine.captureChanges();

        assertThat(delta.replacesAll()).isFalse();
        assertThat(delta.maps()).singleElement().satisfies(changes -> {
            assertThat(changes.written())
                    .extracting(entry -> new String(entry.key(), StandardCharsets.UTF_8))
                    .containsExactlyInAnyOrder("key-7", "key-new");
            assertThat(changes.deleted())
                    .extracting(key -> new String(key, StandardCharsets.UTF_8))
                    .containsExactly("key-8");
        });
        assertThat(delta.changeCount()).isEqualTo(3);
    }

    @Test
    void theFirstCaptureOfAFreshMachineReplacesAllAndTheNextDoesNot() {
        LogScript log = new LogScript();
        log.put("apple", "1");

        assertThat(log.stateMachine.captureChanges().replacesAll()).isTrue();
        log.put("pear", "2");
        assertThat(log.stateMachine.captureChanges().replacesAll()).isFalse();
    }

    @Test
    void aKeyWrittenThenDeletedBetweenCapturesIsOnlyDeleted() {
        LogScript log = new LogScript();
        log.put("apple", "1");
        log.stateMachine.captureChanges();

        log.put("apple", "2");
        log.delete("apple");
        MapChanges changes = log.stateMachine.captureChanges().maps().get(0);

        assertThat(changes.writtenCount()).isZero();
        assertThat(changes.deleted()).containsExactly(bytes("apple"));
    }

    @Test
    void aDeltaKeepsTheValuesOfItsCaptureWhileLaterEntriesAreApplied() {
        LogScript log = new LogScript();
        log.put("apple", "1");
        CheckpointDelta delta = log.stateMachine.captureChanges();

        log.put("apple", "2");
        log.delete("apple");

        assertThat(delta.maps().get(0).written())
                .singleElement()
                .satisfies(entry -> assertThat(entry.value().value()).isEqualTo(bytes("1")));
        assertThat(delta.header().appliedIndex()).isEqualTo(1);
    }

    @Test
    void aDeltaCarriesTheAppliedIndexTheGenerationThereAndTheLastConfiguration() {
        KeyValueStateMachine machine = new KeyValueStateMachine();
        machine.apply(LogEntry.noop(3, 1));
        machine.apply(new LogEntry(3, 2, EntryType.CONFIGURATION, bytes("n1,n2,n3")));
        machine.apply(LogEntry.noop(4, 3));

        CheckpointHeader header = machine.captureChanges().header();

        assertThat(header.appliedIndex()).isEqualTo(3);
        assertThat(header.appliedGeneration()).isEqualTo(4);
        assertThat(header.configuration()).isEqualTo(new CheckpointHeader.Configuration(2, bytes("n1,n2,n3")));
    }

    @Test
    void sessionsUsedSinceThePreviousCaptureAreCopiedAndExpiredOnesForgotten() {
        LogScript log = LogScript.withRetention(Duration.ofMinutes(10));
        log.fromClient("client-a", 1, 1, new StateCommand.Put(MAP, bytes("apple"), bytes("1")));
        log.advance(Duration.ofMinutes(6));
        log.fromClient("client-b", 1, 1, new StateCommand.Put(MAP, bytes("pear"), bytes("1")));
        log.stateMachine.captureChanges();

        log.advance(Duration.ofMinutes(6));
        log.fromClient("client-b", 2, 1, new StateCommand.Put(MAP, bytes("pear"), bytes("2")));
        CheckpointDelta delta = log.stateMachine.captureChanges();

        assertThat(delta.sessionsForgotten()).containsExactly("client-a");
        assertThat(delta.sessionsWritten()).singleElement().satisfies(session -> {
            assertThat(session.clientId()).isEqualTo("client-b");
            assertThat(session.answers())
                    .extracting(SessionImage.Answer::sequence)
                    .containsExactly(1L, 2L);
        });
    }

    @Test
    void idempotencyKeysRememberedSinceThePreviousCaptureAreAddedInOrderAndExpiredOnesForgotten() {
        LogScript log = LogScript.withRetention(Duration.ofMinutes(10));
        log.withKey("order-1", "", 0, new StateCommand.Put(MAP, bytes("apple"), bytes("1")));
        log.stateMachine.captureChanges();

        log.advance(Duration.ofMinutes(11));
        log.withKey("order-2", "", 0, new StateCommand.Put(MAP, bytes("apple"), bytes("2")));
        log.withKey("order-3", "", 0, new StateCommand.Put(MAP, bytes("apple"), bytes("3")));
        CheckpointDelta delta = log.stateMachine.captureChanges();

        assertThat(delta.idempotencyAnswersForgotten()).hasSize(1);
        assertThat(delta.idempotencyAnswersAdded())
                .extracting(IdempotencyAnswer::version)
                .containsExactly(2L, 3L);
    }

    @Test
    void afterASnapshotIsRestoredTheNextCaptureIsWholeAndCarriesTheGivenGeneration() {
        LogScript original = new LogScript();
        original.put("apple", "1");
        original.put("pear", "2");
        KeyValueStateMachine restored = new KeyValueStateMachine();
        restored.captureChanges();

        restored.restore(original.stateMachine.snapshot(), 7);
        CheckpointDelta delta = restored.captureChanges();

        assertThat(delta.replacesAll()).isTrue();
        assertThat(delta.maps().get(0).writtenCount()).isEqualTo(2);
        assertThat(delta.header().appliedGeneration()).isEqualTo(7);
        assertThat(restored.captureChanges().replacesAll()).isFalse();
    }

    @Test
    void deltasAppliedInOrderRebuildTheStateExactlyAndItAnswersTheNextEntriesLikeTheOriginal() {
        for (long seed = 1; seed <= 20; seed++) {
            RandomLog log = new RandomLog(seed);
            KeyValueStateMachine original = new KeyValueStateMachine(RandomLog.LIMITS);
            CheckpointAccumulator checkpoints = new CheckpointAccumulator();
            for (int round = 0; round < 8; round++) {
                log.next(60).forEach(original::apply);
                checkpoints.apply(original.captureChanges());
            }
            KeyValueStateMachine restored = new KeyValueStateMachine(RandomLog.LIMITS);

            restored.restore(checkpoints.contents());

            assertThat(restored.snapshot()).as("seed %d", seed).isEqualTo(original.snapshot());
            for (LogEntry entry : log.next(200)) {
                assertThat(restored.apply(entry))
                        .as("seed %d, entry %d", seed, entry.index())
                        .isEqualTo(original.apply(entry));
            }
            assertThat(restored.snapshot()).as("seed %d", seed).isEqualTo(original.snapshot());
            assertThat(restored.captureAll().header())
                    .isEqualTo(original.captureAll().header());
        }
    }

    @Test
    void deltasWhoseWritesFailedCarriedIntoTheNextRebuildTheStateExactly() {
        for (long seed = 1; seed <= 30; seed++) {
            RandomLog log = new RandomLog(seed);
            Random failures = new Random(seed);
            KeyValueStateMachine original = new KeyValueStateMachine(RandomLog.LIMITS);
            CheckpointAccumulator checkpoints = new CheckpointAccumulator();
            CheckpointDelta unwritten = null;
            for (int round = 0; round < 10; round++) {
                log.next(40).forEach(original::apply);
                CheckpointDelta delta = original.captureChanges();
                CheckpointDelta toWrite = unwritten == null ? delta : unwritten.followedBy(delta);
                if (round < 9 && failures.nextInt(3) > 0) {
                    unwritten = toWrite; // the write failed before anything was stored
                } else {
                    checkpoints.apply(toWrite);
                    unwritten = null;
                }
            }
            KeyValueStateMachine restored = new KeyValueStateMachine(RandomLog.LIMITS);

            restored.restore(checkpoints.contents());

            assertThat(restored.snapshot()).as("seed %d", seed).isEqualTo(original.snapshot());
            for (LogEntry entry : log.next(200)) {
                assertThat(restored.apply(entry))
                        .as("seed %d, entry %d", seed, entry.index())
                        .isEqualTo(original.apply(entry));
            }
        }
    }

    @Test
    void aDeltaRefusesToBeFollowedByChangesThatDoNotStartWhereItEnds() {
        LogScript log = new LogScript();
        log.put("apple", "1");
        CheckpointDelta first = log.stateMachine.captureChanges();
        log.put("pear", "2");
        log.stateMachine.captureChanges();
        log.put("plum", "3");
        CheckpointDelta third = log.stateMachine.captureChanges();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> first.followedBy(third))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("do not follow");
    }

    @Test
    void aWholeCaptureRebuildsTheStateLikeTheDeltas() {
        RandomLog log = new RandomLog(42);
        KeyValueStateMachine original = new KeyValueStateMachine(RandomLog.LIMITS);
        List<LogEntry> entries = log.next(500);
        entries.forEach(original::apply);
        CheckpointAccumulator checkpoints = new CheckpointAccumulator();
        checkpoints.apply(original.captureAll());
        KeyValueStateMachine restored = new KeyValueStateMachine(RandomLog.LIMITS);

        restored.restore(checkpoints.contents());

        assertThat(restored.snapshot()).isEqualTo(original.snapshot());
        assertThat(original.evictedIdempotencyKeyCount()).isPositive();
    }
}
