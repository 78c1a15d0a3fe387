package dev.replication.core.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.core.LogEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class SimulatedStateMachineSnapshotTest {

    @Test
    void aRestoredMachineContinuesLikeTheOriginal() throws IOException {
        KeyValueStateMachine original = new KeyValueStateMachine();
        original.apply(LogEntry.command(1, 1, KeyValueStateMachine.write("x", "1")));
        original.apply(LogEntry.noop(2, 2));
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        original.writeSnapshot(snapshot);
        KeyValueStateMachine restored = new KeyValueStateMachine();

        restored.restoreSnapshot(2, new ByteArrayInputStream(snapshot.toByteArray()));

        LogEntry next = LogEntry.command(2, 3, KeyValueStateMachine.compareAndSet("x", "1", "2"));
        assertThat(restored.apply(next)).isEqualTo(original.apply(next)).isEqualTo(Boolean.TRUE);
        assertThat(restored.snapshot()).isEqualTo(original.snapshot());
        assertThat(restored.appliedIndex()).isEqualTo(3);
    }
}
