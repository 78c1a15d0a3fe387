package dev.replication.state.jdbc;

import static dev.replication.state.jdbc.Checkpoints.MAP;
import static dev.replication.state.jdbc.Checkpoints.bytes;
import static dev.replication.state.jdbc.Checkpoints.loaded;
import static dev.replication.state.jdbc.Checkpoints.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.state.CheckpointContents;
import dev.replication.state.CheckpointStoreException;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.RandomLog;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export of the latest checkpoint and import into another store (snapshot install, backup). */
class CheckpointExportTest {

    @TempDir
    Path dir;

    @Test
    void anExportImportedIntoAnotherStoreRestoresTheSameState() throws IOException {
        KeyValueStateMachine original = new KeyValueStateMachine(RandomLog.LIMITS);
        new RandomLog(3).next(400).forEach(original::apply);
        byte[] export = exportOf(original, dir.resolve("leader"));

        try (H2CheckpointStore follower = new H2CheckpointStore(dir.resolve("follower"))) {
            assertThat(follower.importSnapshot(new ByteArrayInputStream(export)).appliedIndex())
                    .isEqualTo(400);
        }

        KeyValueStateMachine restored = new KeyValueStateMachine(RandomLog.LIMITS);
        try (H2CheckpointStore follower = new H2CheckpointStore(dir.resolve("follower"))) {
            CheckpointContents contents = new CheckpointContents();
            follower.loadLatest(contents);
            restored.restore(contents);
        }
        assertThat(restored.snapshot()).isEqualTo(original.snapshot());
    }

    @Test
    void anImportReplacesEverythingTheStoreHeld() throws IOException {
        KeyValueStateMachine leader = new KeyValueStateMachine();
        leader.apply(put(1, "pear", "1"));
        leader.apply(put(2, "plum", "2"));
        byte[] export = exportOf(leader, dir.resolve("leader"));
        KeyValueStateMachine follower = new KeyValueStateMachine();
        follower.apply(put(1, "apple", "1"));
        try (H2CheckpointStore store = new H2CheckpointStore(dir.resolve("follower"))) {
            store.write(follower.captureChanges());

            store.importSnapshot(new ByteArrayInputStream(export));
        }

        KeyValueStateMachine restarted = loaded(dir.resolve("follower"));
        assertThat(restarted.get(MAP, bytes("apple"))).isNull();
        assertThat(restarted.snapshot()).isEqualTo(leader.snapshot());
    }

    @Test
    void aCorruptedExportIsRefusedByItsChecksumAndTheStoreKeepsWhatItHad() throws IOException {
        KeyValueStateMachine leader = new KeyValueStateMachine();
        for (int i = 1; i <= 50; i++) {
            leader.apply(put(i, "key-" + i, "value-" + i));
        }
        byte[] export = exportOf(leader, dir.resolve("leader"));
        // One bit of one value flipped: every record still parses, only the checksum notices.
        byte[] corrupted = export.clone();
        int at = indexOf(corrupted, bytes("value-25"));
        corrupted[at + 6] ^= 0x01;
        KeyValueStateMachine follower = new KeyValueStateMachine();
        follower.apply(put(1, "apple", "1"));
        try (H2CheckpointStore store = new H2CheckpointStore(dir.resolve("follower"))) {
            store.write(follower.captureChanges());

            assertThatThrownBy(() -> store.importSnapshot(new ByteArrayInputStream(corrupted)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("checksum does not match");
            assertThat(store.sizeOnDisk())
                    .as("the store's size, the half import deleted")
                    .isPositive();
        }
        assertThat(loaded(dir.resolve("follower")).snapshot()).isEqualTo(follower.snapshot());
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir.resolve("follower"))) {
            assertThat(files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".mv.db")))
                    .as("database files: the one the half import was written into is deleted")
                    .containsExactly(
                            CheckpointFileNames.current(dir.resolve("follower")).name() + ".mv.db");
        }
    }

    @Test
    void aTruncatedExportIsRefused() throws IOException {
        KeyValueStateMachine leader = new KeyValueStateMachine();
        leader.apply(put(1, "apple", "1"));
        byte[] export = exportOf(leader, dir.resolve("leader"));
        byte[] truncated = Arrays.copyOf(export, export.length - 3);

        try (H2CheckpointStore store = new H2CheckpointStore(dir.resolve("follower"))) {
            assertThatThrownBy(() -> store.importSnapshot(new ByteArrayInputStream(truncated)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("truncated");
            assertThat(store.loadLatest(new CheckpointContents())).isEmpty();
        }
    }

    @Test
    void bytesThatAreNotAnExportAreRefused() {
        try (H2CheckpointStore store = new H2CheckpointStore(dir)) {
            assertThatThrownBy(() -> store.importSnapshot(new ByteArrayInputStream(bytes("hello, world"))))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("not a checkpoint export");
        }
    }

    @Test
    void anEmptyStoreHasNothingToExport() {
        try (H2CheckpointStore store = new H2CheckpointStore(dir)) {
            assertThatThrownBy(() -> store.exportLatest(new ByteArrayOutputStream()))
                    .isInstanceOf(CheckpointStoreException.class)
                    .hasMessageContaining("no checkpoint");
        }
    }

    private static byte[] exportOf(KeyValueStateMachine machine, Path directory) throws IOException {
        try (H2CheckpointStore store = new H2CheckpointStore(directory)) {
            store.write(machine.captureChanges());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.exportLatest(out);
            return out.toByteArray();
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
