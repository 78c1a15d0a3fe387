package dev.replication.state;

import static dev.replication.state.LogScript.MAP;
import static dev.replication.state.LogScript.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.core.EntryType;
import dev.replication.core.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyValueStateMachineTest {

    private final LogScript log = new LogScript();

    @Test
    void aPutIsReadableWithTheLogIndexAsItsVersion() {
        log.put("apple", "3");
        log.put("pear", "5");

        StoredValue pear = log.stateMachine.get(MAP, bytes("pear"));
        assertThat(pear.value()).isEqualTo(bytes("5"));
        assertThat(pear.version()).isEqualTo(2);
        assertThat(log.stateMachine.appliedIndex()).isEqualTo(2);
    }

    @Test
    void aValueCarriesTheTimestampStampedIntoItsEntry() {
        log.put("apple", "3");

        assertThat(log.stateMachine.get(MAP, bytes("apple")).timestamp()).isEqualTo(log.timestampNow());
    }

    @Test
    void aPutAnswersWithItsVersionAndThePreviousValue() {
        log.put("apple", "3");

        StateResult result = log.put("apple", "4");

        assertThat(result.status()).isEqualTo(StateResult.Status.APPLIED);
        assertThat(result.version()).isEqualTo(2);
        assertThat(result.before().value()).isEqualTo(bytes("3"));
        assertThat(result.before().version()).isEqualTo(1);
    }

    @Test
    void aDeleteRemovesTheKeyAndAnswersWithTheRemovedValue() {
        log.put("apple", "3");

        StateResult result = log.delete("apple");

        assertThat(result.before().value()).isEqualTo(bytes("3"));
        assertThat(log.stateMachine.get(MAP, bytes("apple"))).isNull();
    }

    @Test
    void deletingAnAbsentKeyIsAppliedAndAnswersWithNoPreviousValue() {
        StateResult result = log.delete("ghost");

        assertThat(result.status()).isEqualTo(StateResult.Status.APPLIED);
        assertThat(result.before()).isNull();
    }

    @Test
    void putIfVersionZeroCreatesAnAbsentKey() {
        StateResult result = log.putIfVersion("apple", "3", 0);

        assertThat(result.status()).isEqualTo(StateResult.Status.APPLIED);
        assertThat(log.stateMachine.get(MAP, bytes("apple")).version()).isEqualTo(1);
    }

    @Test
    void putIfVersionZeroOnAPresentKeyConflictsAndReportsTheCurrentValue() {
        log.put("apple", "3");

        StateResult result = log.putIfVersion("apple", "4", 0);

        assertThat(result.status()).isEqualTo(StateResult.Status.VERSION_CONFLICT);
        assertThat(result.before().version()).isEqualTo(1);
        assertThat(result.before().value()).isEqualTo(bytes("3"));
        assertThat(log.stateMachine.get(MAP, bytes("apple")).value()).isEqualTo(bytes("3"));
    }

    @Test
    void putIfVersionWithTheCurrentVersionReplacesTheValue() {
        log.put("apple", "3");

        StateResult result = log.putIfVersion("apple", "4", 1);

        assertThat(result.status()).isEqualTo(StateResult.Status.APPLIED);
        assertThat(log.stateMachine.get(MAP, bytes("apple")).version()).isEqualTo(2);
    }

    @Test
    void putIfVersionWithAStaleVersionChangesNothing() {
        log.put("apple", "3");
        log.put("apple", "4");

        StateResult result = log.putIfVersion("apple", "5", 1);

        assertThat(result.status()).isEqualTo(StateResult.Status.VERSION_CONFLICT);
        assertThat(result.before().version()).isEqualTo(2);
        assertThat(log.stateMachine.get(MAP, bytes("apple")).value()).isEqualTo(bytes("4"));
    }

    @Test
    void putIfVersionOnAnAbsentKeyWithANonZeroVersionConflictsWithVersionZero() {
        StateResult result = log.putIfVersion("apple", "3", 7);

        assertThat(result.status()).isEqualTo(StateResult.Status.VERSION_CONFLICT);
        assertThat(result.before()).isNull();
        assertThat(log.stateMachine.size(MAP)).isZero();
    }

    @Test
    void deleteIfVersionRemovesOnlyTheExpectedVersion() {
        log.put("apple", "3");

        StateResult stale = log.deleteIfVersion("apple", 9);
        StateResult current = log.deleteIfVersion("apple", 1);

        assertThat(stale.status()).isEqualTo(StateResult.Status.VERSION_CONFLICT);
        assertThat(current.status()).isEqualTo(StateResult.Status.APPLIED);
        assertThat(log.stateMachine.get(MAP, bytes("apple"))).isNull();
    }

    @Test
    void aRecreatedKeyGetsANewVersionSoAnOldVersionNeverMatchesAgain() {
        log.put("apple", "3");
        log.delete("apple");
        log.put("apple", "3");

        StateResult result = log.putIfVersion("apple", "4", 1);

        assertThat(result.status()).isEqualTo(StateResult.Status.VERSION_CONFLICT);
        assertThat(result.before().version()).isEqualTo(3);
    }

    @Test
    void mapsWithDifferentNamesAreIndependent() {
        log.apply(new StateCommand.Put("a", bytes("k"), bytes("1")));
        log.apply(new StateCommand.Put("b", bytes("k"), bytes("2")));

        assertThat(log.stateMachine.get("a", bytes("k")).value()).isEqualTo(bytes("1"));
        assertThat(log.stateMachine.get("b", bytes("k")).value()).isEqualTo(bytes("2"));
        assertThat(log.stateMachine.size("a")).isEqualTo(1);
    }

    @Test
    void noopAndConfigurationEntriesOnlyAdvanceTheAppliedIndex() {
        byte[] noop = log.applyRaw(LogEntry.noop(1, 1));
        byte[] configuration = log.applyRaw(new LogEntry(1, 2, EntryType.CONFIGURATION, bytes("n1,n2,n3")));

        assertThat(noop).isEmpty();
        assertThat(configuration).isEmpty();
        assertThat(log.stateMachine.appliedIndex()).isEqualTo(2);
        assertThat(log.stateMachine.size(MAP)).isZero();
    }

    @Test
    void anEntryOutOfOrderIsRefusedWithoutChangingState() {
        log.put("apple", "3");

        assertThatThrownBy(() -> log.stateMachine.apply(LogEntry.noop(1, 5)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("entry 5 cannot be applied after entry 1")
                .hasMessageContaining("exactly once, in log order");
        assertThat(log.stateMachine.appliedIndex()).isEqualTo(1);
    }

    @Test
    void aMalformedCommandIsAnsweredAsMalformedAndChangesNothingButTheIndex() {
        byte[] answer = log.applyRaw(LogEntry.command(1, 1, bytes("not an envelope")));

        StateResult result = StateResult.decode(answer);
        assertThat(result.status()).isEqualTo(StateResult.Status.MALFORMED);
        assertThat(result.detail()).contains("entry 1 was not applied", "malformed command envelope");
        assertThat(log.stateMachine.appliedIndex()).isEqualTo(1);
    }

    @Test
    void scanListsKeysWithThePrefixInByteOrder() {
        log.put("fruit/pear", "1");
        log.put("fruit/apple", "2");
        log.put("veg/leek", "3");
        log.put("fruit", "4");

        List<String> keys = log.stateMachine.scan(MAP, bytes("fruit/")).stream()
                .map(entry -> new String(entry.key()))
                .toList();

        assertThat(keys).containsExactly("fruit/apple", "fruit/pear");
    }

    @Test
    void scanWithAnEmptyPrefixListsEveryKey() {
        log.put("b", "1");
        log.put("a", "2");

        assertThat(log.stateMachine.scan(MAP, new byte[0])).hasSize(2);
    }

    @Test
    void scanIsASnapshotUnaffectedByLaterWrites() {
        log.put("a", "1");
        List<StoredEntry> snapshot = log.stateMachine.scan(MAP, new byte[0]);

        log.put("b", "2");

        assertThat(snapshot).hasSize(1);
        assertThatThrownBy(() -> snapshot.add(snapshot.get(0))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void replicasApplyingTheSameEntriesReachTheSameStateAndAnswers() {
        List<LogEntry> entries = randomEntries(new Random(7), 500);
        KeyValueStateMachine first = new KeyValueStateMachine();
        KeyValueStateMachine second = new KeyValueStateMachine();

        List<byte[]> firstAnswers = new ArrayList<>();
        List<byte[]> secondAnswers = new ArrayList<>();
        for (LogEntry entry : entries) {
            firstAnswers.add(first.apply(entry));
            secondAnswers.add(second.apply(entry));
        }

        assertThat(first.snapshot()).isEqualTo(second.snapshot());
        assertThat(firstAnswers).containsExactlyElementsOf(secondAnswers);
    }

    @Test
    void aRestoredSnapshotContinuesExactlyLikeTheOriginal() {
        List<LogEntry> entries = randomEntries(new Random(11), 400);
        KeyValueStateMachine original = new KeyValueStateMachine();
        entries.subList(0, 200).forEach(original::apply);
        KeyValueStateMachine restored = new KeyValueStateMachine();

        restored.restore(original.snapshot());

        assertThat(restored.appliedIndex()).isEqualTo(200);
        for (LogEntry entry : entries.subList(200, 400)) {
            assertThat(restored.apply(entry)).isEqualTo(original.apply(entry));
        }
        assertThat(restored.snapshot()).isEqualTo(original.snapshot());
    }

    @Test
    void aCorruptSnapshotIsRefusedAndLeavesTheStateUnchanged() {
        log.put("apple", "3");
        byte[] snapshot = log.stateMachine.snapshot();

        assertThatThrownBy(() -> log.stateMachine.restore(java.util.Arrays.copyOf(snapshot, snapshot.length - 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed state machine snapshot");
        assertThat(log.stateMachine.get(MAP, bytes("apple")).value()).isEqualTo(bytes("3"));
    }

    @Test
    void readersDuringApplyingAlwaysSeeTheStateAtOneAppliedIndex() throws Exception {
        // Entry i puts value i under key i % 10, so the state at index n >= 10 holds exactly n-9..n.
        KeyValueStateMachine stateMachine = new KeyValueStateMachine();
        int entries = 5_000;
        for (int index = 1; index <= 10; index++) {
            stateMachine.apply(put(index));
        }
        java.util.concurrent.atomic.AtomicReference<String> inconsistency =
                new java.util.concurrent.atomic.AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                while (stateMachine.appliedIndex() < entries && inconsistency.get() == null) {
                    List<Long> values = stateMachine.scan(MAP, new byte[0]).stream()
                            .map(entry ->
                                    Long.parseLong(new String(entry.value().value())))
                            .sorted()
                            .toList();
                    if (values.size() != 10 || values.get(9) - values.get(0) != 9) {
                        inconsistency.set("scan saw " + values);
                    }
                }
            } catch (RuntimeException e) {
                inconsistency.set("scan failed: " + e);
            }
        });
        reader.start();
        for (int index = 11; index <= entries; index++) {
            stateMachine.apply(put(index));
        }
        reader.join(10_000);

        assertThat(reader.isAlive()).isFalse();
        assertThat(inconsistency.get()).isNull();
    }

    @Test
    void aProposalReappendedByANewLeaderIsAppliedOnce() {
        byte[] envelope = CommandEnvelope.create(
                        "n2:a", 1, 1, null, new StateCommand.Put(MAP, bytes("apple"), bytes("3")).encode())
                .encode();
        byte[] first =
                log.applyRaw(LogEntry.command(1, 1, CommandEnvelope.stamp(envelope, HybridClock.timestamp(1_000, 0))));

        byte[] again =
                log.applyRaw(LogEntry.command(2, 2, CommandEnvelope.stamp(envelope, HybridClock.timestamp(2_000, 0))));

        assertThat(again).isEqualTo(first);
        assertThat(log.stateMachine.get(MAP, bytes("apple")).version()).isEqualTo(1);
    }

    private static LogEntry put(int index) {
        byte[] body = new StateCommand.Put(MAP, bytes("k" + index % 10), bytes(Integer.toString(index))).encode();
        return LogEntry.command(
                1, index, CommandEnvelope.create("", 0, 0, null, body).encode());
    }

    /** Puts, conditional writes and deletes on few keys from few clients, with retries and idempotency keys. */
    private static List<LogEntry> randomEntries(Random random, int count) {
        List<LogEntry> entries = new ArrayList<>();
        long[] sequences = new long[3];
        long nowMillis = 1_700_000_000_000L;
        for (int index = 1; index <= count; index++) {
            if (random.nextInt(10) == 0) {
                entries.add(LogEntry.noop(1, index));
                continue;
            }
            byte[] key = bytes("k" + random.nextInt(5));
            StateCommand command = switch (random.nextInt(4)) {
                case 0 -> new StateCommand.Put(MAP, key, bytes("v" + index));
                case 1 -> new StateCommand.PutIfVersion(MAP, key, bytes("v" + index), random.nextInt(index));
                case 2 -> new StateCommand.Delete(MAP, key);
                default -> new StateCommand.DeleteIfVersion(MAP, key, 1 + random.nextInt(index));
            };
            int client = random.nextInt(3);
            boolean retry = sequences[client] > 0 && random.nextInt(5) == 0;
            long sequence = retry ? sequences[client] : ++sequences[client];
            String idempotencyKey = random.nextInt(4) == 0 ? "key-" + random.nextInt(20) : "";
            nowMillis += random.nextInt(3_600_000);
            CommandEnvelope envelope = CommandEnvelope.create(
                            "client-" + client, sequence, sequence, idempotencyKey, command.encode())
                    .withTimestamp(HybridClock.timestamp(nowMillis, 0));
            entries.add(LogEntry.command(1, index, envelope.encode()));
        }
        return entries;
    }
}
