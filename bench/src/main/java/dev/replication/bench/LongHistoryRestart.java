package dev.replication.bench;

import dev.replication.core.Message;
import dev.replication.log.HardStateFile;
import dev.replication.log.LogOptions;
import dev.replication.log.LowWaterMarkFile;
import dev.replication.log.SegmentedLog;
import dev.replication.runtime.CheckpointSettings;
import dev.replication.runtime.NodeSettings;
import dev.replication.runtime.ReplicationNode;
import dev.replication.runtime.SnapshotStorage;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.StateCommand;
import dev.replication.state.jdbc.H2CheckpointStore;
import dev.replication.transport.InboundHandler;
import dev.replication.transport.PeerTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The restart and disk targets of checkpoints, end to end, run by hand ({@code
 * bench/run-long-history}; never part of verify): one node (a cluster of one, real files, the
 * default checkpoint settings: every 100,000 entries, 10,000 kept below, 16 MiB segments) takes
 * {@code entries} puts (default 10,000,000) of 100-byte values over {@code keys} keys (default
 * 1,000,000), printing its log size, checkpoint size and live state every million entries; then
 * it is closed and reopened, and the time until it leads again with everything applied is the
 * restart time (JVM start excluded: the node is reopened in this JVM).
 */
public final class LongHistoryRestart {

    private static final String MAP = "inventory";
    private static final int IN_FLIGHT = 2_000;

    private LongHistoryRestart() {}

    public static void main(String[] args) throws Exception {
        long entries = Long.getLong("entries", 10_000_000);
        int keys = Integer.getInteger("keys", 1_000_000);
        Path dir = Path.of(System.getProperty("bench.dir", "bench/target/long-history"));
        deleteRecursively(dir);
        Files.createDirectories(dir);

        long started = System.nanoTime();
        try (Node node = new Node(dir)) {
            node.start();
            Random random = new Random(1);
            Semaphore window = new Semaphore(IN_FLIGHT);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong done = new AtomicLong();
            long reportEvery = Long.getLong("report.every", 1_000_000);
            // 0: as fast as the node takes them; otherwise puts per second, paced per thousand.
            long rate = Long.getLong("rate", 0);
            long lastReport = System.nanoTime();
            for (long i = 1; i <= entries && failure.get() == null; i++) {
                byte[] value = new byte[100];
                random.nextBytes(value);
                byte[] key = String.format("key-%09d", random.nextInt(keys)).getBytes(StandardCharsets.UTF_8);
                window.acquire();
                node.replication
                        .submit(new StateCommand.Put(MAP, key, value).encode(), null, Duration.ofSeconds(60))
                        .whenComplete((result, error) -> {
                            if (error != null) {
                                failure.compareAndSet(null, error);
                            }
                            done.incrementAndGet();
                            window.release();
                        });
                if (rate > 0 && i % 1_000 == 0) {
                    long due = started + i * 1_000_000_000L / rate;
                    long early = due - System.nanoTime();
                    if (early > 0) {
                        Thread.sleep(early / 1_000_000, (int) (early % 1_000_000));
                    }
                }
                if (i % reportEvery == 0) {
                    long now = System.nanoTime();
                    node.report(i, reportEvery / ((now - lastReport) / 1e9));
                    lastReport = now;
                }
            }
            window.acquire(IN_FLIGHT);
            if (failure.get() != null) {
                throw new IllegalStateException("a put failed", failure.get());
            }
            System.out.printf("%,d puts in %.0f s%n", entries, seconds(started));
            // Let the last checkpoint and compaction finish, as a long-running node would have.
            long appliedAtEnd = node.replication.appliedIndex();
            long settleDeadline = System.nanoTime() + 120_000_000_000L;
            while (node.replication.snapshotStatus().checkpointIndex() < appliedAtEnd
                    && System.nanoTime() < settleDeadline) {
                Thread.sleep(50);
            }
            node.report(entries, 0);
        }

        long reopened = System.nanoTime();
        try (Node node = new Node(dir)) {
            node.start();
            long lastIndex = node.log.lastIndex();
            while (!node.replication.isLeader() || node.replication.appliedIndex() < lastIndex) {
                Thread.sleep(5);
            }
            System.out.printf(
                    "restart: leading with %,d keys applied up to %,d (log %,d..%,d) %.2f s after the reopen%n",
                    node.machine.size(MAP),
                    node.replication.appliedIndex(),
                    node.replication.firstLogIndex(),
                    lastIndex,
                    seconds(reopened));
        }
    }

    /** The node and the files it owns. */
    private static final class Node implements AutoCloseable {
        final KeyValueStateMachine machine = new KeyValueStateMachine();
        final Path dir;
        final SegmentedLog log;
        final H2CheckpointStore store;
        final ReplicationNode replication;

        Node(Path dir) {
            this.dir = dir;
            log = SegmentedLog.open(
                    dir.resolve("log"),
                    new LogOptions(
                            16L << 20,
                            LogOptions.DEFAULT_MAX_RECORD_BYTES,
                            dev.replication.log.FsyncPolicy.ALWAYS,
                            LogOptions.DEFAULT_FSYNC_INTERVAL));
            store = new H2CheckpointStore(dir.resolve("checkpoint"));
            SnapshotStorage storage = new SnapshotStorage(
                    machine,
                    store,
                    new LowWaterMarkFile(dir.resolve("low-water-mark")),
                    CheckpointSettings.defaults(dir.resolve("checkpoint")),
                    dir.resolve("snapshots"),
                    dir.resolve("backups"),
                    null);
            replication = new ReplicationNode(
                    NodeSettings.defaults("n1", Set.of("n1")),
                    log,
                    new HardStateFile(dir.resolve("hard-state")),
                    new Silent(),
                    machine,
                    state -> {},
                    null,
                    storage);
        }

        void start() {
            replication.start();
        }

        void report(long written, double perSecond) throws IOException {
            long logBytes = bytesUnder(dir.resolve("log"));
            long checkpointBytes = bytesUnder(dir.resolve("checkpoint"));
            long liveBytes = machine.size(MAP) * (13L + 100);
            Runtime runtime = Runtime.getRuntime();
            System.out.printf(
                    "%,12d puts (%,.0f/s): log %,d MB [%,d..%,d], checkpoint store %,d MB at %,d, live keys %,d"
                            + " (%,d MB of keys and values), disk / live %.2f, heap %,d MB%n",
                    written,
                    perSecond,
                    logBytes >> 20,
                    replication.firstLogIndex(),
                    log.lastIndex(),
                    checkpointBytes >> 20,
                    replication.snapshotStatus().checkpointIndex(),
                    machine.size(MAP),
                    liveBytes >> 20,
                    (logBytes + checkpointBytes) / (double) liveBytes,
                    (runtime.totalMemory() - runtime.freeMemory()) >> 20);
        }

        @Override
        public void close() {
            replication.close();
            log.close();
            store.close();
        }
    }

    /** A cluster of one never sends. */
    private static final class Silent implements PeerTransport {
        @Override
        public void start(InboundHandler handler) {}

        @Override
        public void send(Message message) {}

        @Override
        public CompletableFuture<byte[]> call(String peerId, String operation, byte[] body, Duration timeout) {
            return CompletableFuture.failedFuture(new IllegalStateException("a cluster of one has no peers"));
        }

        @Override
        public void close() {}
    }

    private static long bytesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (var paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile)
                    .mapToLong(path -> path.toFile().length())
                    .sum();
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }
}
