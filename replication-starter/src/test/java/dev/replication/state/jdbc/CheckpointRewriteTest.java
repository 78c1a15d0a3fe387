package dev.replication.state.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.state.CheckpointContents;
import dev.replication.state.CommandEnvelope;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.StateCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store bounds its file: once H2's file has grown a few times over its compact size, the
 * newest checkpoint is rewritten into a fresh file and the store switches to it, atomically.
 */
class CheckpointRewriteTest {

    static final long MIN_REWRITE_BYTES = 1 << 20;

    @TempDir
    Path dir;

    final KeyValueStateMachine machine = new KeyValueStateMachine();
    final Random random = new Random(7);
    long index;

    @Test
    void aGrownFileIsRewrittenIntoAFreshOneThatHoldsTheSameCheckpoint() throws IOException {
        long largest = 0;
        try (H2CheckpointStore store = new H2CheckpointStore(dir, MIN_REWRITE_BYTES)) {
            for (int round = 0; round < 40; round++) {
                rewriteKeys(2_000);
                store.write(machine.captureChanges());
                largest = Math.max(largest, store.sizeOnDisk());
            }
            assertThat(CheckpointFileNames.current(dir).name())
                    .as("the database CURRENT names")
                    .startsWith("checkpoint-");
            assertThat(store.sizeOnDisk())
                    .as("the file after rewrites (largest seen %d)", largest)
                    .isLessThanOrEqualTo(
                            Math.max(H2CheckpointStore.GROWTH_FACTOR * (largest / 2), MIN_REWRITE_BYTES * 4));
        }
        assertThat(databaseFiles())
                .as("database files left")
                .containsExactly(CheckpointFileNames.current(dir).name() + ".mv.db");

        KeyValueStateMachine restarted = new KeyValueStateMachine();
        byte[] checkpointed = machine.snapshot();
        String rewritten = CheckpointFileNames.current(dir).name();
        try (H2CheckpointStore reopened = new H2CheckpointStore(dir, MIN_REWRITE_BYTES)) {
            CheckpointContents contents = new CheckpointContents();
            reopened.loadLatest(contents);
            restarted.restore(contents);
            rewriteKeys(10);
            reopened.write(machine.captureChanges());
        }
        assertThat(restarted.snapshot()).isEqualTo(checkpointed);
        assertThat(CheckpointFileNames.current(dir).name())
                .as("the database after a small write once reopened: CURRENT kept its compact size")
                .isEqualTo(rewritten);
    }

    @Test
    void aRewriteInterruptedBeforeTheSwitchLeavesTheOldDatabaseCurrentAndIsCleanedUp() throws IOException {
        try (H2CheckpointStore store = new H2CheckpointStore(dir, Long.MAX_VALUE)) {
            rewriteKeys(100);
            store.write(machine.captureChanges());
        }
        // What a crash during a rewrite leaves: the export and a half-imported next database.
        Files.writeString(dir.resolve(CheckpointFileNames.REWRITE_EXPORT), "half an export");
        new H2CheckpointDatabase(dir, "checkpoint-1").close();

        assertThat(reopenedState().snapshot()).isEqualTo(machine.snapshot());
        assertThat(databaseFiles()).containsExactly("checkpoint.mv.db");
        assertThat(dir.resolve(CheckpointFileNames.REWRITE_EXPORT)).doesNotExist();
    }

    @Test
    void afterTheSwitchTheNewDatabaseIsCurrentAndTheOldOneIsDeletedAtTheNextOpen() throws IOException {
        try (H2CheckpointStore store = new H2CheckpointStore(dir, Long.MAX_VALUE)) {
            rewriteKeys(100);
            store.write(machine.captureChanges());
        }
        // A crash right after the switch: CURRENT names the new database, the old one is still there.
        try (H2CheckpointDatabase old = new H2CheckpointDatabase(dir, "checkpoint");
                H2CheckpointDatabase fresh = new H2CheckpointDatabase(dir, "checkpoint-1")) {
            java.io.ByteArrayOutputStream export = new java.io.ByteArrayOutputStream();
            old.exportLatest(export);
            fresh.importSnapshot(new java.io.ByteArrayInputStream(export.toByteArray()));
        }
        CheckpointFileNames.point(dir, "checkpoint-1", 1);

        assertThat(reopenedState().snapshot()).isEqualTo(machine.snapshot());
        assertThat(databaseFiles()).containsExactly("checkpoint-1.mv.db");
    }

    @Test
    void itsSizeIsReadWithoutWaitingForAnOperationInProgress() throws Exception {
        try (H2CheckpointStore store = new H2CheckpointStore(dir, MIN_REWRITE_BYTES)) {
            rewriteKeys(100);
            store.write(machine.captureChanges());
            java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Thread slowReader = new Thread(() -> store.loadLatest(new dev.replication.state.CheckpointSink() {
                @Override
                public void header(dev.replication.state.CheckpointHeader header) {
                    reading.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public void value(String map, byte[] key, dev.replication.state.StoredValue value) {}

                @Override
                public void session(dev.replication.state.SessionImage session) {}

                @Override
                public void idempotencyAnswer(dev.replication.state.IdempotencyAnswer answer) {}
            }));
            slowReader.start();
            reading.await();
            try {
                java.util.concurrent.CompletableFuture<Long> size =
                        java.util.concurrent.CompletableFuture.supplyAsync(store::sizeOnDisk);
                assertThat(size.get(10, java.util.concurrent.TimeUnit.SECONDS))
                        .as("the size while a load holds the store (the node's status asks it on its update thread)")
                        .isPositive();
            } finally {
                release.countDown();
                slowReader.join();
            }
        }
    }

    /** The state a store reopened on {@code dir} (never rewriting) loads. */
    private KeyValueStateMachine reopenedState() {
        KeyValueStateMachine restarted = new KeyValueStateMachine();
        try (H2CheckpointStore reopened = new H2CheckpointStore(dir, Long.MAX_VALUE)) {
            CheckpointContents contents = new CheckpointContents();
            reopened.loadLatest(contents);
            restarted.restore(contents);
        }
        return restarted;
    }

    private void rewriteKeys(int count) {
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[200];
            random.nextBytes(value);
            byte[] command = new StateCommand.Put(
                            "inventory", ("key-" + random.nextInt(5_000)).getBytes(StandardCharsets.UTF_8), value)
                    .encode();
            machine.apply(Checkpoints.entry(++index, CommandEnvelope.create("", 0, 0, null, command)));
        }
    }

    private java.util.List<String> databaseFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".mv.db"))
                    .sorted()
                    .toList();
        }
    }
}
