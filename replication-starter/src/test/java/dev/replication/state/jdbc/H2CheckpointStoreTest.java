package dev.replication.state.jdbc;

import static dev.replication.state.jdbc.Checkpoints.MAP;
import static dev.replication.state.jdbc.Checkpoints.bytes;
import static dev.replication.state.jdbc.Checkpoints.delete;
import static dev.replication.state.jdbc.Checkpoints.entry;
import static dev.replication.state.jdbc.Checkpoints.fromClient;
import static dev.replication.state.jdbc.Checkpoints.loaded;
import static dev.replication.state.jdbc.Checkpoints.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.core.LogEntry;
import dev.replication.state.CheckpointContents;
import dev.replication.state.CheckpointDelta;
import dev.replication.state.CheckpointReceipt;
import dev.replication.state.CheckpointStoreException;
import dev.replication.state.CommandEnvelope;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.RandomLog;
import dev.replication.state.StateResult;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The H2 checkpoint store: incremental writes, restart, refusals. */
class H2CheckpointStoreTest {

    @TempDir
    Path dir;

    @Test
    void aCheckpointIsLoadedAfterTheStoreIsReopened() {
        KeyValueStateMachine machine = new KeyValueStateMachine();
        machine.apply(put(1, "apple", "1"));
        machine.apply(put(2, "pear", "2"));
        try (H2CheckpointStore store = new H2CheckpointStore(dir)) {
            store.write(machine.captureChanges());
        }

        KeyValueStateMachine restarted = loaded(dir);

        assertThat(restarted.appliedIndex()).isEqualTo(2);
        assertThat(restarted.snapshot()).isEqualTo(machine.snapshot());
    }

    @Test
    void anEmptyStoreLoadsNothing() {
        try (H2CheckpointStore store = new H2CheckpointStore(dir)) {
            assertThat(store.loadLatest(new CheckpointContents())).isEmpty();
        }
    }

    @Test
    void theSecondCheckpointWritesOnlyTheRowsThatChanged() {
        KeyValueStateMachine machine = new KeyValueStateMachine();
        for (int i = 1; i <= 1_000; i++) {
            machine.apply(put(i, "key-" + i, "v" + i));
        }
        try (H2CheckpointStore store = new H2CheckpointStore(dir)) {
            CheckpointReceipt first = store.write(machine.captureChanges());
            machine.apply(put(1_001, "key-7", "changed"));
            machine.apply(put(1_002, "key-new", "new"));
            machine.apply(delete(1_003, "key-8"));

            CheckpointReceipt second = store.write(machine.captureChanges());

            assertThat(first.rowsWritten()).isEqualTo(1_000 + 1);
            // Two keys and the header row; one key deleted.
            assertThat(second.rowsWritten()).isEqualTo(3);
            assertThat(second.rowsDeleted()).isEqualTo(1);
        }
        assertThat(loaded(dir).snapshot()).isEqualTo(machine.snapshot());
    }

    @Test
    void aKeyDeletedAfterACheckpointIsAbsentAfterTheNextOneIsLoaded() {
        KeyValueStateMachine machine = new KeyValueStateMachine();
        machine.apply(put(1, "apple", "1"));
        try (H2CheckpointStore store = new H2CheckpointStore(dir)) {
            store.write(machine.captureChanges());
            machine.apply(delete(2, "apple"));
            store.write(machine.captureChanges());
        }

        KeyValueStateMachine restarted = loaded(dir);

        assertThat(restarted.get(MAP, bytes("apple"))).isNull();
        assertThat(restarted.size(MAP)).isZero();
    }

    @Test
    void sessionsAndIdempotencyKeysSurviveARestartAndStillAnswerRetriesWithoutApplyingThemAgain() {
        KeyValueStateMachine machine = new KeyValueStateMachine();
        CommandEnvelope sessionWrite = fromClient("client-a", 1, null, "apple", "1");
        CommandEnvelope keyedWrite = fromClient("client-b", 1, "order-17", "pear", "2");
        byte[] firstAnswer = machine.apply(entry(1, sessionWrite));
        byte[] keyedAnswer = machine.apply(entry(2, keyedWrite));
        try (H2CheckpointStore store = new H2CheckpointStore(dir)) {
            store.write(machine.captureChanges());
        }
        KeyValueStateMachine restarted = loaded(dir);

        byte[] retried = restarted.apply(entry(3, sessionWrite));
        // The same idempotency key from another client session: answered from the key.
        byte[] keyRetried = restarted.apply(entry(4, fromClient("client-c", 1, "order-17", "pear", "2")));

        assertThat(retried).isEqualTo(firstAnswer);
        assertThat(StateResult.decode(keyRetried).version())
                .isEqualTo(StateResult.decode(keyedAnswer).version());
        assertThat(restarted.get(MAP, bytes("apple")).version()).isEqualTo(1);
        assertThat(restarted.get(MAP, bytes("pear")).version()).isEqualTo(2);
        assertThat(restarted.clientSessionCount()).isEqualTo(3);
    }

    /** Share 0: every delta in place; share 1,000,000: every delta as a fresh file. */
    @ParameterizedTest(name = "deltas changing one row in {0} written as fresh files")
    @ValueSource(ints = {0, 1_000_000})
    void deltasOfARandomLogRebuildTheStateExactlyAfterARestartAndItAnswersTheNextEntriesLikeTheOriginal(
            int largeDeltaShare) throws java.io.IOException {
        RandomLog log = new RandomLog(7);
        KeyValueStateMachine original = new KeyValueStateMachine(RandomLog.LIMITS);
        java.util.Set<String> databases = new java.util.HashSet<>();
        try (H2CheckpointStore store = new H2CheckpointStore(dir, Long.MAX_VALUE, largeDeltaShare)) {
            for (int round = 0; round < 6; round++) {
                log.next(80).forEach(original::apply);
                store.write(original.captureChanges());
                databases.add(CheckpointFileNames.current(dir).name());
            }
        }
        assertThat(databases).as("the database files the checkpoints went to").hasSize(largeDeltaShare == 0 ? 1 : 6);
        KeyValueStateMachine restarted = new KeyValueStateMachine(RandomLog.LIMITS);
        try (H2CheckpointStore store = new H2CheckpointStore(dir)) {
            CheckpointContents contents = new CheckpointContents();
            store.loadLatest(contents);
            restarted.restore(contents);
        }

        assertThat(restarted.snapshot()).isEqualTo(original.snapshot());
        for (LogEntry entry : log.next(200)) {
            assertThat(restarted.apply(entry)).as("entry %d", entry.index()).isEqualTo(original.apply(entry));
        }
        assertThat(restarted.captureAll().header())
                .isEqualTo(original.captureAll().header());
    }

    @Test
    void aCheckpointNotAboveTheStoredOneIsRefusedAndTheStoreKeepsWhatItHad() {
        KeyValueStateMachine ahead = new KeyValueStateMachine();
        ahead.apply(put(1, "apple", "1"));
        ahead.apply(put(2, "apple", "2"));
        KeyValueStateMachine behind = new KeyValueStateMachine();
        behind.apply(put(1, "apple", "old"));
        try (H2CheckpointStore store = new H2CheckpointStore(dir)) {
            store.write(ahead.captureChanges());

            assertThatThrownBy(() -> store.write(behind.captureChanges()))
                    .isInstanceOf(CheckpointStoreException.class)
                    .hasMessageContaining("the checkpoint at 1 is refused")
                    .hasMessageContaining("already holds the one at 2");
        }
        assertThat(loaded(dir).snapshot()).isEqualTo(ahead.snapshot());
    }

    @Test
    void changesThatDoNotFollowTheStoredCheckpointAreRefused() {
        KeyValueStateMachine machine = new KeyValueStateMachine();
        machine.apply(put(1, "apple", "1"));
        try (H2CheckpointStore store = new H2CheckpointStore(dir)) {
            store.write(machine.captureChanges());
            machine.apply(put(2, "apple", "2"));
            machine.captureChanges(); // a checkpoint write that was lost
            machine.apply(put(3, "pear", "3"));

            assertThatThrownBy(() -> store.write(machine.captureChanges()))
                    .isInstanceOf(CheckpointStoreException.class)
                    .hasMessageContaining("the changes since 2 are refused")
                    .hasMessageContaining("captureAll");
            store.write(machine.captureAll());
        }
        assertThat(loaded(dir).snapshot()).isEqualTo(machine.snapshot());
    }

    @Test
    void aWholeCaptureReplacesEverythingTheStoreHeld() {
        KeyValueStateMachine first = new KeyValueStateMachine();
        first.apply(put(1, "apple", "1"));
        KeyValueStateMachine installed = new KeyValueStateMachine();
        installed.apply(put(1, "pear", "1"));
        installed.apply(put(2, "plum", "2"));
        try (H2CheckpointStore store = new H2CheckpointStore(dir)) {
            store.write(first.captureChanges());
            first.restore(installed.snapshot(), 1);

            CheckpointDelta whole = first.captureChanges();
            store.write(whole);

            assertThat(whole.replacesAll()).isTrue();
        }
        KeyValueStateMachine restarted = loaded(dir);
        assertThat(restarted.get(MAP, bytes("apple"))).isNull();
        assertThat(restarted.snapshot()).isEqualTo(installed.snapshot());
    }

    @Test
    void theAppliedGenerationAndConfigurationAreLoaded() {
        KeyValueStateMachine machine = new KeyValueStateMachine();
        machine.apply(new LogEntry(2, 1, dev.replication.core.EntryType.CONFIGURATION, bytes("n1,n2,n3")));
        machine.apply(LogEntry.noop(5, 2));
        try (H2CheckpointStore store = new H2CheckpointStore(dir)) {
            store.write(machine.captureChanges());
        }

        try (H2CheckpointStore store = new H2CheckpointStore(dir)) {
            CheckpointContents contents = new CheckpointContents();
            assertThat(store.loadLatest(contents)).hasValueSatisfying(header -> {
                assertThat(header.appliedIndex()).isEqualTo(2);
                assertThat(header.appliedGeneration()).isEqualTo(5);
                assertThat(header.configuration().payload()).isEqualTo(bytes("n1,n2,n3"));
            });
        }
    }

    @Test
    void aClosedStoreRefusesFurtherCalls() {
        H2CheckpointStore store = new H2CheckpointStore(dir);
        store.close();

        assertThatThrownBy(() -> store.loadLatest(new CheckpointContents()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
    }
}
