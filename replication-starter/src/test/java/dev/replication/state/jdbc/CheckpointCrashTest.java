package dev.replication.state.jdbc;

import static dev.replication.state.jdbc.Checkpoints.MAP;
import static dev.replication.state.jdbc.Checkpoints.bytes;
import static dev.replication.state.jdbc.Checkpoints.loaded;
import static dev.replication.state.jdbc.Checkpoints.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.state.CheckpointStoreException;
import dev.replication.state.KeyValueStateMachine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint interrupted before its commit leaves the previous one, whole; a foreign schema is refused. */
class CheckpointCrashTest {

    @TempDir
    Path dir;

    @Test
    void aTransactionClosedWithoutCommitLeavesThePreviousCheckpoint() throws Exception {
        KeyValueStateMachine machine = new KeyValueStateMachine();
        machine.apply(put(1, "apple", "1"));
        try (H2CheckpointStore store = new H2CheckpointStore(dir)) {
            store.write(machine.captureChanges());
            try (Connection connection = DriverManager.getConnection(H2CheckpointStore.jdbcUrl(dir), "sa", "")) {
                connection.setAutoCommit(false);
                HalfWrittenCheckpoint.changeEverything(connection);
                // Closed without commit, like a writer that failed half-way.
            }
        }

        assertThat(loaded(dir).snapshot()).isEqualTo(machine.snapshot());
    }

    @Test
    void aProcessKilledInTheMiddleOfACheckpointLeavesThePreviousOneAfterRestart() throws Exception {
        Process child = HalfWrittenCheckpoint.start(dir);
        try {
            awaitLine(child, "IN_TRANSACTION");
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        KeyValueStateMachine restarted = loaded(dir);

        assertThat(restarted.appliedIndex()).isEqualTo(HalfWrittenCheckpoint.COMMITTED_INDEX);
        assertThat(restarted.get(MAP, bytes("apple")).value()).isEqualTo(bytes("committed"));
        assertThat(restarted.size(MAP)).isEqualTo(HalfWrittenCheckpoint.COMMITTED_INDEX);
    }

    @Test
    void aSecondProcessCannotOpenTheDatabaseWhileTheFirstHoldsIt() throws Exception {
        Process child = HalfWrittenCheckpoint.start(dir);
        try {
            awaitLine(child, "IN_TRANSACTION");

            assertThatThrownBy(() -> new H2CheckpointStore(dir))
                    .isInstanceOf(CheckpointStoreException.class)
                    .hasMessageContaining("another process");
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aDatabaseOfAnotherSchemaVersionIsRefusedWithAClearMessage() throws Exception {
        new H2CheckpointStore(dir).close();
        try (Connection connection = DriverManager.getConnection(H2CheckpointStore.jdbcUrl(dir), "sa", "");
                Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE SCHEMA_VERSION SET VERSION = 99");
        }

        assertThatThrownBy(() -> new H2CheckpointStore(dir))
                .isInstanceOf(CheckpointStoreException.class)
                .hasMessageContaining("schema version [99]")
                .hasMessageContaining("reads only version 1");
    }

    private static void awaitLine(Process child, String expected) throws Exception {
        BufferedReader lines =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = lines.readLine()) != null) {
            if (line.equals(expected)) {
                return;
            }
        }
        throw new AssertionError("the child process ended before printing " + expected);
    }
}
