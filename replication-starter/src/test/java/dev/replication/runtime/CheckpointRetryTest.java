package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.log.CrashSimulatingFileLayer;
import dev.replication.log.HardStateFile;
import dev.replication.log.LogOptions;
import dev.replication.log.LowWaterMarkFile;
import dev.replication.log.SegmentedLog;
import dev.replication.state.CheckpointDelta;
import dev.replication.state.CheckpointHeader;
import dev.replication.state.CheckpointNotWrittenException;
import dev.replication.state.CheckpointReceipt;
import dev.replication.state.CheckpointSink;
import dev.replication.state.CheckpointStore;
import dev.replication.state.CheckpointStoreException;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.StateCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint store that keeps failing (its volume full or gone) is retried with a growing
 * pause, not on every turn of the update thread: each attempt captures and writes the whole
 * state, so retrying at once would burn the node's CPU and flood its log with the same warning.
 */
class CheckpointRetryTest {

    static final Path DATA = Path.of("/node");
    static final Duration WAIT = Duration.ofSeconds(20);

    final CrashSimulatingFileLayer disk = new CrashSimulatingFileLayer();
    final AtomicInteger attempts = new AtomicInteger();
    SegmentedLog log;
    ReplicationNode node;

    @TempDir
    Path temp;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        if (log != null) {
            log.close();
        }
    }

    @Test
    void aFailingCheckpointStoreIsRetriedAfterAPauseNotOnEveryTurn() throws Exception {
        start(new FailingStore());
        for (int i = 0; i < 20; i++) {
            put("k" + i);
        }
        await().atMost(WAIT).until(() -> attempts.get() > 0);
        // Ticks every 50 ms and twenty turns of writes: retrying on every turn makes dozens of
        // attempts in this second.
        await().during(Duration.ofMillis(900))
                .atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(attempts.get())
                        .as("checkpoint attempts within a second of the first failure")
                        .isLessThanOrEqualTo(2));
        assertThat(node.snapshotStatus().checkpointFailure()).contains("the checkpoint volume is gone");
    }

    void start(CheckpointStore store) {
        KeyValueStateMachine machine = new KeyValueStateMachine();
        log = SegmentedLog.open(DATA.resolve("log"), LogOptions.defaults(), disk);
        SnapshotStorage storage = new SnapshotStorage(
                machine,
                store,
                new LowWaterMarkFile(DATA.resolve("low-water-mark"), disk),
                new CheckpointSettings(5, 1 << 20, 0, temp.resolve("checkpoint")),
                temp.resolve("transfers"),
                temp.resolve("backups"),
                null);
        node = new ReplicationNode(
                TestNode.settings(Set.of("n1"), Duration.ofMillis(300), 1000),
                log,
                new HardStateFile(DATA.resolve("hard-state"), disk),
                new NodeDurabilityTest.RecordingTransport(),
                machine,
                state -> {},
                null,
                storage);
        node.start();
        await().atMost(WAIT).until(node::isLeader);
    }

    void put(String key) throws Exception {
        node.submit(new StateCommand.Put("kv", bytes(key), bytes("v")).encode(), null, WAIT)
                .get();
    }

    @Test
    void theChangesOfAWriteTheStoreDidNotTakeAreCarriedIntoTheNextInsteadOfTheWholeState() throws Exception {
        RecordingStore store = new RecordingStore();
        start(store);
        for (int i = 0; i < 6; i++) {
            put("first-" + i);
        }
        await().atMost(WAIT).until(() -> store.written.size() == 1);
        store.refuseNext = true;
        for (int i = 0; i < 6; i++) {
            put("second-" + i);
        }
        await().atMost(WAIT).until(() -> attempts.get() == 2);
        for (int i = 0; i < 6; i++) {
            put("third-" + i);
        }
        await().atMost(WAIT).until(() -> store.written.size() == 2);

        CheckpointDelta carried = store.written.get(1);
        assertThat(carried.replacesAll()).as("a whole capture").isFalse();
        assertThat(carried.baseIndex()).isEqualTo(store.written.get(0).header().appliedIndex());
        assertThat(carried.maps().get(0).written())
                .extracting(entry -> new String(entry.key(), StandardCharsets.UTF_8))
                .contains("second-0", "second-5", "third-0")
                .doesNotContain("first-0");
    }

    /** Takes every write but the one it is told to refuse, which it refuses before storing anything. */
    final class RecordingStore extends StoreThatOnlyWrites {
        final List<CheckpointDelta> written = new CopyOnWriteArrayList<>();
        volatile boolean refuseNext;

        @Override
        public CheckpointReceipt write(CheckpointDelta delta) {
            attempts.incrementAndGet();
            if (refuseNext) {
                refuseNext = false;
                throw new CheckpointNotWrittenException("the transaction rolled back", new IOException("test"));
            }
            written.add(delta);
            return new CheckpointReceipt(
                    delta.header().appliedIndex(), delta.header().appliedGeneration(), delta.changeCount(), 0);
        }
    }

    /** A store whose every write fails. */
    final class FailingStore extends StoreThatOnlyWrites {
        @Override
        public CheckpointReceipt write(CheckpointDelta delta) {
            attempts.incrementAndGet();
            throw new CheckpointStoreException("the checkpoint volume is gone");
        }
    }

    /** A store that starts empty and takes writes only: exports and imports are not in these tests. */
    abstract static class StoreThatOnlyWrites implements CheckpointStore {
        @Override
        public Optional<CheckpointHeader> loadLatest(CheckpointSink sink) {
            return Optional.empty();
        }

        @Override
        public CheckpointHeader exportLatest(OutputStream out) {
            throw new CheckpointStoreException("not in this test");
        }

        @Override
        public CheckpointHeader importSnapshot(InputStream in) throws IOException {
            throw new IOException("not in this test");
        }

        @Override
        public void close() {}
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
