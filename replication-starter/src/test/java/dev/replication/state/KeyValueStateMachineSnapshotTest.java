package dev.replication.state;

import static dev.replication.state.LogScript.MAP;
import static dev.replication.state.LogScript.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.core.LogEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The state-machine seam's snapshot hooks and stamps, as the runtime uses them. */
class KeyValueStateMachineSnapshotTest {

    private static final long START_MILLIS = 1_700_000_000_000L;

    @Test
    void aRestoredMachineAnswersTheFollowingEntriesByteForByteLikeTheOriginal() throws IOException {
        KeyValueStateMachine original = new KeyValueStateMachine();
        Script script = new Script();
        script.put("client-a", 1, null, "apple", "1");
        script.put("client-a", 2, "order-17", "pear", "2");
        script.put("client-b", 1, null, "apple", "3");
        script.entries.forEach(original::apply);
        KeyValueStateMachine restored = new KeyValueStateMachine();

        restored.restoreSnapshot(original.appliedIndex(), new ByteArrayInputStream(snapshotOf(original)));

        // Retries are answered from the restored sessions and idempotency records.
        List<LogEntry> further = new Script(script.entries.size() + 1)
                .put("client-a", 2, "order-17", "pear", "2")
                .put("client-b", 1, null, "apple", "3")
                .put("client-c", 1, null, "apple", "4")
                .put("client-a", 3, "order-17", "plum", "5")
                .entries;
        for (LogEntry entry : further) {
            assertThat(restored.apply(entry)).isEqualTo(original.apply(entry));
        }
        assertThat(snapshotOf(restored)).isEqualTo(snapshotOf(original));
        assertThat(restored.get(MAP, bytes("apple")).value()).isEqualTo(bytes("4"));
    }

    @Test
    void aSnapshotTakenAtAnotherIndexIsRefusedAndLeavesTheStateUnchanged() throws IOException {
        KeyValueStateMachine original = new KeyValueStateMachine();
        new Script().put("client-a", 1, null, "apple", "1").entries.forEach(original::apply);
        KeyValueStateMachine other = new KeyValueStateMachine();

        assertThatThrownBy(() -> other.restoreSnapshot(5, new ByteArrayInputStream(snapshotOf(original))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("at index 1, not 5");
        assertThat(other.appliedIndex()).isZero();
    }

    @Test
    void aTruncatedSnapshotIsRefusedAsAnIoFailure() throws IOException {
        KeyValueStateMachine original = new KeyValueStateMachine();
        new Script().put("client-a", 1, null, "apple", "1").entries.forEach(original::apply);
        byte[] snapshot = snapshotOf(original);
        byte[] truncated = java.util.Arrays.copyOf(snapshot, snapshot.length - 2);

        assertThatThrownBy(() -> new KeyValueStateMachine().restoreSnapshot(1, new ByteArrayInputStream(truncated)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aStampFollowsEveryObservedStampEvenWhenTheWallClockIsBehind() {
        KeyValueStateMachine machine = new KeyValueStateMachine(Duration.ofHours(1), () -> 1_000L);
        byte[] fromAnotherLeader =
                CommandEnvelope.stamp(envelope("client-a", 1, null, "apple", "1"), HybridClock.timestamp(5_000, 0));

        machine.observe(LogEntry.command(1, 1, fromAnotherLeader));
        byte[] stamped = machine.stamp(envelope("client-a", 2, null, "apple", "2"));

        assertThat(CommandEnvelope.timestampOf(stamped)).isGreaterThan(HybridClock.timestamp(5_000, 0));
    }

    @Test
    void aStampFollowsTheLogTimeOfARestoredSnapshot() throws IOException {
        KeyValueStateMachine original = new KeyValueStateMachine();
        new Script().put("client-a", 1, null, "apple", "1").entries.forEach(original::apply);
        KeyValueStateMachine restored = new KeyValueStateMachine(Duration.ofHours(24), () -> 1_000L);

        restored.restoreSnapshot(1, new ByteArrayInputStream(snapshotOf(original)));
        byte[] stamped = restored.stamp(envelope("client-b", 1, null, "pear", "2"));

        assertThat(CommandEnvelope.timestampOf(stamped)).isGreaterThan(original.lastTimestamp());
    }

    private static byte[] snapshotOf(KeyValueStateMachine machine) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        machine.writeSnapshot(out);
        return out.toByteArray();
    }

    private static byte[] envelope(String client, long sequence, String idempotencyKey, String key, String value) {
        return CommandEnvelope.create(
                        client,
                        sequence,
                        sequence,
                        idempotencyKey,
                        new StateCommand.Put(MAP, bytes(key), bytes(value)).encode())
                .encode();
    }

    /** Consecutive stamped command entries, one minute of log time apart. */
    private static final class Script {
        final List<LogEntry> entries = new ArrayList<>();
        private long nextIndex;

        Script() {
            this(1);
        }

        Script(long firstIndex) {
            nextIndex = firstIndex;
        }

        Script put(String client, long sequence, String idempotencyKey, String key, String value) {
            long timestamp = HybridClock.timestamp(START_MILLIS + nextIndex * 60_000, 0);
            entries.add(LogEntry.command(
                    1,
                    nextIndex++,
                    CommandEnvelope.stamp(envelope(client, sequence, idempotencyKey, key, value), timestamp)));
            return this;
        }
    }
}
