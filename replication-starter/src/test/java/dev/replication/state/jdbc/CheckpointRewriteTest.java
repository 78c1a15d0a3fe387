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
 * The store bounds its file: a large delta is written as a fresh compact file, and once H2's file
 * has grown in place to twice its compact size the newest checkpoint is copied into a fresh file;
 * either way the store switches to the new file atomically.
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
            for (int round = 0; round < 60; round++) {
                // 200 of 5,000 keys: small enough to be written in place.
                rewriteKeys(200);
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
            assertThat(largest)
                    .as("the largest file seen: it grew in place before each rewrite")
                    .isGreaterThan(MIN_REWRITE_BYTES);
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
    void aLargeDeltaIsWrittenIntoAFreshCompactFileAndTheOldOneIsDeleted() throws IOException {
        try (H2CheckpointStore store = new H2CheckpointStore(dir, Long.MAX_VALUE)) {
            String first = checkpointFiveThousandWrites(store);
            long compact = store.sizeOnDisk();
            for (int round = 0; round < 5; round++) {
                // A tenth of the keys: at least one row in LARGE_DELTA_SHARE changes.
                rewriteKeys(500);
                deleteKeys(20);
                store.write(machine.captureChanges());
                assertThat(store.sizeOnDisk())
                        .as("the file after round %d (%d after the first checkpoint)", round, compact)
                        .isLessThan(compact + compact / 4);
            }
            assertThat(CheckpointFileNames.current(dir).name()).isNotEqualTo(first);
        }
        assertThat(databaseFiles())
                .containsExactly(CheckpointFileNames.current(dir).name() + ".mv.db");
        assertThat(reopenedState().snapshot()).isEqualTo(machine.snapshot());
    }

    @Test
    void aSmallDeltaIsWrittenInPlace() throws IOException {
        try (H2CheckpointStore store = new H2CheckpointStore(dir, Long.MAX_VALUE)) {
            String first = checkpointFiveThousandWrites(store);
            rewriteKeys(10);
            store.write(machine.captureChanges());
            assertThat(CheckpointFileNames.current(dir).name()).isEqualTo(first);
        }
        assertThat(reopenedState().snapshot()).isEqualTo(machine.snapshot());
    }

    @Test
    void aRewriteInterruptedBeforeTheSwitchLeavesTheOldDatabaseCurrentAndIsCleanedUp() throws IOException {
        try (H2CheckpointStore store = new H2CheckpointStore(dir, Long.MAX_VALUE)) {
            rewriteKeys(100);
            store.write(machine.captureChanges());
        }
        String current = CheckpointFileNames.current(dir).name();
        // What a crash during a rewrite leaves: a half-filled next database (and, from a release
        // that rewrote through an export, the export).
        Files.writeString(dir.resolve(CheckpointFileNames.REWRITE_EXPORT), "half an export");
        new H2CheckpointDatabase(dir, CheckpointFileNames.next(current)).close();

        assertThat(reopenedState().snapshot()).isEqualTo(machine.snapshot());
        assertThat(databaseFiles()).containsExactly(current + ".mv.db");
        assertThat(dir.resolve(CheckpointFileNames.REWRITE_EXPORT)).doesNotExist();
    }

    @Test
    void afterTheSwitchTheNewDatabaseIsCurrentAndTheOldOneIsDeletedAtTheNextOpen() throws IOException {
        try (H2CheckpointStore store = new H2CheckpointStore(dir, Long.MAX_VALUE)) {
            rewriteKeys(100);
            store.write(machine.captureChanges());
        }
        String old = CheckpointFileNames.current(dir).name();
        String next = CheckpointFileNames.next(old);
        // A crash right after the switch: CURRENT names the new database, the old one is still there.
        try (H2CheckpointDatabase oldDatabase = new H2CheckpointDatabase(dir, old)) {
            H2CheckpointDatabase.createFilled(dir, next, oldDatabase::loadLatest)
                    .database()
                    .close();
        }
        CheckpointFileNames.point(dir, next, 1);

        assertThat(reopenedState().snapshot()).isEqualTo(machine.snapshot());
        assertThat(databaseFiles()).containsExactly(next + ".mv.db");
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

    /** 5,000 writes over the 5,000 keys, checkpointed; returns the database they went to. */
    private String checkpointFiveThousandWrites(H2CheckpointStore store) throws IOException {
        rewriteKeys(5_000);
        store.write(machine.captureChanges());
        return CheckpointFileNames.current(dir).name();
    }

    private void deleteKeys(int count) {
        for (int i = 0; i < count; i++) {
            byte[] command = new StateCommand.Delete(
                            "inventory", ("key-" + random.nextInt(5_000)).getBytes(StandardCharsets.UTF_8))
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
