package dev.replication.state.jdbc;

import static dev.replication.state.jdbc.Checkpoints.put;

import dev.replication.state.KeyValueStateMachine;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A child process for {@link CheckpointCrashTest}: writes a checkpoint at {@link #COMMITTED_INDEX},
 * then, holding the database, changes every table in a transaction it never commits, forces H2 to
 * write its pages, says {@code IN_TRANSACTION} and waits to be killed.
 */
public final class HalfWrittenCheckpoint {

    static final int COMMITTED_INDEX = 20;

    private HalfWrittenCheckpoint() {}

    static Process start(Path dir) throws java.io.IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(
                        java,
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-Xmx128m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        HalfWrittenCheckpoint.class.getName(),
                        dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        KeyValueStateMachine machine = new KeyValueStateMachine();
        for (int i = 1; i < COMMITTED_INDEX; i++) {
            machine.apply(put(i, "key-" + i, "v" + i));
        }
        machine.apply(put(COMMITTED_INDEX, "apple", "committed"));
        H2CheckpointStore store = new H2CheckpointStore(dir);
        store.write(machine.captureChanges());
        Connection connection = DriverManager.getConnection(H2CheckpointStore.jdbcUrl(dir), "sa", "");
        connection.setAutoCommit(false);
        changeEverything(connection);
        try (Statement statement = connection.createStatement()) {
            // Pushes the uncommitted changes into the file, so the kill lands after they reached it.
            statement.execute("CHECKPOINT");
        }
        System.out.println("IN_TRANSACTION");
        System.out.flush();
        Thread.sleep(120_000);
    }

    /** What a checkpoint at a later index does to every table, uncommitted. */
    static void changeEverything(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate(
                    "DELETE FROM MAP_ENTRY WHERE MAP_NAME = 'inventory' AND ENTRY_KEY <> X'6170706c65'");
            statement.executeUpdate("UPDATE MAP_ENTRY SET ENTRY_VALUE = X'00', VERSION = 999");
            statement.executeUpdate("UPDATE CHECKPOINT_HEADER SET APPLIED_INDEX = 999, APPLIED_GENERATION = 9");
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO MAP_ENTRY (MAP_NAME, ENTRY_KEY, ENTRY_VALUE, VERSION, STAMP) VALUES (?, ?, ?, ?, ?)")) {
            for (int i = 0; i < 20_000; i++) {
                insert.setString(1, "inventory");
                insert.setBytes(2, ("half-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                insert.setBytes(3, new byte[100]);
                insert.setLong(4, 999);
                insert.setLong(5, 0);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
