package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.log.CrashSimulatingFileLayer;
import dev.replication.log.FileLayer;
import dev.replication.log.FsyncPolicy;
import dev.replication.log.HardStateFile;
import dev.replication.log.LogOptions;
import dev.replication.log.LowWaterMarkFile;
import dev.replication.log.SegmentedLog;
import dev.replication.state.CheckpointContents;
import dev.replication.state.CheckpointDelta;
import dev.replication.state.CheckpointHeader;
import dev.replication.state.CheckpointReceipt;
import dev.replication.state.CheckpointSink;
import dev.replication.state.CheckpointStore;
import dev.replication.state.CheckpointStoreException;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.StateCommand;
import dev.replication.state.StoredValue;
import dev.replication.state.jdbc.H2CheckpointStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability order of compaction (Low-Water Mark): the checkpoint is durable in its store,
 * then the mark names it, then segments below it are deleted. A single node writes while it
 * checkpoints and compacts; the power fails at its k-th step that changes what a crash leaves
 * (a checkpoint's commit, an fsync of the mark, a rename, a deletion, a directory sync), for every k until a run passes
 * them all. After each failure the node restarts from what survived and every acknowledged write
 * must be there. The log, hard state and mark live on a disk that forgets whatever was not
 * fsync'd; the checkpoints in a real H2 store, whose own durability {@code CheckpointCrashTest}
 * proves with a killed process.
 */
class CompactionCrashTest {

    static final Path DATA = Path.of("/node");
    static final Duration WAIT = Duration.ofSeconds(20);
    static final int PUTS = 40;
    static final int EVERY = 10;

    @TempDir
    Path temp;

    @Test
    void aPowerLossBetweenAnyTwoStepsOfCompactionLosesNoAcknowledgedWrite() throws Exception {
        int storeAheadOfMark = 0;
        int restartedCompacted = 0;
        int crashAt = 1;
        while (true) {
            Run run = new Run(temp.resolve("run-" + crashAt), crashAt);
            List<Integer> acknowledged = run.writeUntilThePowerFails();
            if (!run.power.tripped()) {
                assertThat(acknowledged).as("the run without a power loss").hasSize(PUTS);
                assertThat(run.node.replication.firstLogIndex())
                        .as("the first index of the log after a run that passed every step")
                        .isGreaterThan(1);
                run.close();
                break;
            }
            run.close();
            Restarted restarted = run.restart();
            try {
                for (int i : acknowledged) {
                    assertThat(restarted.value(i))
                            .as("put %d (acknowledged before a power loss at step %d) after the restart", i, crashAt)
                            .isEqualTo("value-" + i);
                }
                if (restarted.storeIndex > restarted.markIndex) {
                    storeAheadOfMark++;
                }
                if (restarted.firstLogIndex > 1) {
                    restartedCompacted++;
                }
            } finally {
                restarted.close();
            }
            crashAt++;
        }
        // The sweep reached the windows that matter, not only crashes before any checkpoint.
        assertThat(storeAheadOfMark)
                .as(
                        "restarts with a checkpoint newer than the mark (power lost between the store's commit and the mark)")
                .isPositive();
        assertThat(restartedCompacted)
                .as("restarts from a compacted log (power lost after a deletion)")
                .isPositive();
    }

    /** One life of the node: it writes PUTS values until the power fails at step {@code crashAt}. */
    final class Run implements AutoCloseable {
        final CrashSimulatingFileLayer disk = new CrashSimulatingFileLayer();
        final PowerSwitch power;
        final Path dir;
        Node node;

        Run(Path dir, int crashAt) throws IOException {
            this.dir = Files.createDirectories(dir);
            this.power = new PowerSwitch(disk, crashAt);
            this.node = new Node(this.dir, power, power);
            node.replication.start();
            await().atMost(WAIT).until(node.replication::isLeader);
            power.arm(); // steps count from here: start-up is not part of compaction
        }

        /**
         * Writes until the node stops acknowledging, then waits until the power failed or the
         * node is done with its last checkpoint and compaction (no step for a while).
         */
        List<Integer> writeUntilThePowerFails() {
            List<Integer> acknowledged = new ArrayList<>();
            for (int i = 1; i <= PUTS && !power.tripped(); i++) {
                byte[] put = new StateCommand.Put("kv", bytes("key-" + i), bytes("value-" + i)).encode();
                try {
                    node.replication.submit(put, null, WAIT).get();
                    acknowledged.add(i);
                } catch (Exception notAcknowledged) {
                    break; // the node fail-stopped: nothing after this was acknowledged
                }
            }
            long[] stepsBefore = {-1};
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
                long steps = power.steps();
                boolean quiet = steps == stepsBefore[0];
                stepsBefore[0] = steps;
                return power.tripped()
                        || (quiet && node.replication.snapshotStatus().checkpointIndex() > PUTS + 1 - EVERY);
            });
            return acknowledged;
        }

        /** The power is back: the node starts from what the disk and the store kept. */
        Restarted restart() {
            power.restore();
            return new Restarted(new Node(dir, disk, null));
        }

        @Override
        public void close() {
            node.close();
        }
    }

    /** The node after a power loss, once it leads again and applied everything it had. */
    static final class Restarted implements AutoCloseable {
        final Node node;
        final long storeIndex;
        final long markIndex;
        final long firstLogIndex;

        Restarted(Node node) {
            this.node = node;
            this.storeIndex = node.store
                    .loadLatest(new CheckpointContents())
                    .map(CheckpointHeader::appliedIndex)
                    .orElse(0L);
            this.markIndex = node.mark.load().index();
            this.firstLogIndex = node.log.firstIndex();
            node.replication.start();
            await().atMost(WAIT).until(node.replication::isLeader);
            byte[] probe = new StateCommand.Put("kv", bytes("probe"), bytes("probe")).encode();
            try {
                node.replication.submit(probe, null, WAIT).get();
            } catch (Exception e) {
                throw new AssertionError("the restarted node does not take writes", e);
            }
        }

        String value(int i) {
            StoredValue stored = node.machine.get("kv", bytes("key-" + i));
            return stored == null ? null : new String(stored.value(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            node.close();
        }
    }

    /**
     * A single node (not started yet) checkpointing every 10 entries into 1000-byte segments,
     * keeping 3 entries below a checkpoint.
     */
    static final class Node implements AutoCloseable {
        final KeyValueStateMachine machine = new KeyValueStateMachine();
        final SegmentedLog log;
        final LowWaterMarkFile mark;
        final H2CheckpointStore h2;
        final CheckpointStore store;
        final ReplicationNode replication;

        Node(Path dir, FileLayer files, PowerSwitch storeSwitch) {
            log = SegmentedLog.open(
                    DATA.resolve("log"), new LogOptions(1000, 4096, FsyncPolicy.ALWAYS, Duration.ofMillis(100)), files);
            mark = new LowWaterMarkFile(DATA.resolve("low-water-mark"), files);
            h2 = new H2CheckpointStore(dir.resolve("checkpoint"));
            store = storeSwitch == null ? h2 : storeSwitch.guard(h2);
            SnapshotStorage storage = new SnapshotStorage(
                    machine,
                    store,
                    mark,
                    new CheckpointSettings(EVERY, 1 << 20, 3, dir.resolve("checkpoint")),
                    dir.resolve("transfers"),
                    dir.resolve("backups"),
                    null);
            replication = new ReplicationNode(
                    new NodeSettings(
                            "n1",
                            Set.of("n1"),
                            Duration.ofMillis(10),
                            Duration.ofMillis(60),
                            Duration.ofMillis(20),
                            4,
                            64,
                            1024,
                            1000,
                            100_000),
                    log,
                    new HardStateFile(DATA.resolve("hard-state"), files),
                    new NodeDurabilityTest.RecordingTransport(),
                    machine,
                    state -> {},
                    null,
                    storage);
        }

        @Override
        public void close() {
            replication.close();
            log.close();
            h2.close();
        }
    }

    /**
     * The machine's power, between the node and its disk: at the k-th step that changes what a
     * crash leaves, the disk crashes and from then on every operation fails (the machine is off),
     * including checkpoint writes, so nothing written after the loss survives it.
     */
    static final class PowerSwitch implements FileLayer {
        private final CrashSimulatingFileLayer disk;
        private final int crashAt;
        private final AtomicInteger steps = new AtomicInteger();
        private final AtomicBoolean off = new AtomicBoolean();
        private final AtomicBoolean armed = new AtomicBoolean();

        PowerSwitch(CrashSimulatingFileLayer disk, int crashAt) {
            this.disk = disk;
            this.crashAt = crashAt;
        }

        boolean tripped() {
            return off.get();
        }

        long steps() {
            return steps.get();
        }

        void arm() {
            armed.set(true);
        }

        void restore() {
            off.set(false);
            armed.set(false);
        }

        private void ensureOn() throws IOException {
            if (off.get()) {
                throw new IOException("the power is off");
            }
        }

        /** One step that changes what survives a crash; the crashAt-th is lost with the power. */
        private synchronized void step() throws IOException {
            ensureOn();
            if (armed.get() && steps.incrementAndGet() == crashAt) {
                disk.crash();
                off.set(true);
                throw new IOException("power lost at step " + crashAt);
            }
        }

        @Override
        public FileHandle open(Path file, boolean create) throws IOException {
            ensureOn();
            FileHandle handle = disk.open(file, create);
            boolean counted = !file.startsWith(DATA.resolve("log"));
            return new FileHandle() {
                @Override
                public int read(ByteBuffer dst, long position) throws IOException {
                    ensureOn();
                    return handle.read(dst, position);
                }

                @Override
                public void write(ByteBuffer src, long position) throws IOException {
                    ensureOn();
                    handle.write(src, position);
                }

                @Override
                public long size() throws IOException {
                    ensureOn();
                    return handle.size();
                }

                @Override
                public void truncate(long size) throws IOException {
                    ensureOn();
                    handle.truncate(size);
                }

                @Override
                public void force() throws IOException {
                    // Forces of segments (one per write) are not steps of compaction: the sweep
                    // would mostly crash between writes, which NodeDurabilityTest covers.
                    if (counted) {
                        step();
                    } else {
                        ensureOn();
                    }
                    handle.force();
                }

                @Override
                public void close() throws IOException {
                    handle.close();
                }
            };
        }

        @Override
        public void createDirectories(Path dir) throws IOException {
            ensureOn();
            disk.createDirectories(dir);
        }

        @Override
        public List<Path> list(Path dir) throws IOException {
            ensureOn();
            return disk.list(dir);
        }

        @Override
        public boolean exists(Path file) {
            return disk.exists(file);
        }

        @Override
        public void delete(Path file) throws IOException {
            step();
            disk.delete(file);
        }

        @Override
        public void moveAtomically(Path source, Path target) throws IOException {
            step();
            disk.moveAtomically(source, target);
        }

        @Override
        public void syncDirectory(Path dir) throws IOException {
            step();
            disk.syncDirectory(dir);
        }

        /** The checkpoint store, switched off with the disk. */
        CheckpointStore guard(CheckpointStore store) {
            return new CheckpointStore() {
                @Override
                public Optional<CheckpointHeader> loadLatest(CheckpointSink sink) {
                    return store.loadLatest(sink);
                }

                @Override
                public CheckpointReceipt write(CheckpointDelta delta) {
                    try {
                        step(); // the commit: before this step the store holds the previous checkpoint
                    } catch (IOException e) {
                        throw new CheckpointStoreException(e.getMessage(), e);
                    }
                    return store.write(delta);
                }

                @Override
                public CheckpointHeader exportLatest(OutputStream out) throws IOException {
                    ensureOn();
                    return store.exportLatest(out);
                }

                @Override
                public CheckpointHeader importSnapshot(InputStream in) throws IOException {
                    ensureOn();
                    return store.importSnapshot(in);
                }

                @Override
                public void close() {
                    store.close();
                }
            };
        }
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
