package dev.replication.bench;

import dev.replication.core.LogEntry;
import dev.replication.state.CheckpointContents;
import dev.replication.state.CheckpointDelta;
import dev.replication.state.CheckpointReceipt;
import dev.replication.state.CommandEnvelope;
import dev.replication.state.HybridClock;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.StateCommand;
import dev.replication.state.jdbc.H2CheckpointStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * What checkpoints cost at scale, run by hand ({@code bench/run-checkpoint}; never part of verify):
 * a machine of {@code keys} keys (default 1,000,000, 100-byte values) is checkpointed whole into a
 * fresh H2 store; then {@code rounds} times {@code changed} keys (default 100,000) are rewritten and
 * checkpointed incrementally; then the store is reopened and loaded into a fresh machine. Prints
 * the update-thread pause of each capture (the time the machine's write lock is held), each
 * checkpoint's write time, and the restart load time.
 */
public final class CheckpointTimings {

    private static final String MAP = "inventory";

    private CheckpointTimings() {}

    public static void main(String[] args) throws Exception {
        int keys = Integer.getInteger("keys", 1_000_000);
        int changed = Integer.getInteger("changed", 100_000);
        int rounds = Integer.getInteger("rounds", 3);
        Path dir = Path.of(System.getProperty("bench.dir", "bench/target/checkpoint"));
        deleteRecursively(dir);
        Random random = new Random(1);
        KeyValueStateMachine machine = new KeyValueStateMachine();
        long index = 0;
        long started = System.nanoTime();
        for (int i = 0; i < keys; i++) {
            machine.apply(put(++index, i, random));
        }
        System.out.printf("applied %,d puts in %.1f s%n", keys, seconds(started));
        try (H2CheckpointStore store = new H2CheckpointStore(dir)) {
            long pause = System.nanoTime();
            CheckpointDelta whole = machine.captureAll();
            System.out.printf("captureAll of %,d keys: update thread paused %.1f ms%n", keys, millis(pause));
            long write = System.nanoTime();
            CheckpointReceipt receipt = store.write(whole);
            System.out.printf(
                    "whole checkpoint written in %.1f s (%,d rows), file %,d MB%n",
                    seconds(write), receipt.rowsWritten(), store.sizeOnDisk() >> 20);
            for (int round = 1; round <= rounds; round++) {
                for (int i = 0; i < changed; i++) {
                    machine.apply(put(++index, random.nextInt(keys), random));
                }
                pause = System.nanoTime();
                CheckpointDelta delta = machine.captureChanges();
                double pauseMillis = millis(pause);
                write = System.nanoTime();
                receipt = store.write(delta);
                System.out.printf(
                        "round %d: captureChanges of %,d changes: update thread paused %.3f ms;"
                                + " checkpoint written in %.2f s (%,d rows)%n",
                        round, delta.changeCount(), pauseMillis, seconds(write), receipt.rowsWritten());
            }
        }
        System.gc();
        long load = System.nanoTime();
        KeyValueStateMachine restarted = new KeyValueStateMachine();
        try (H2CheckpointStore store = new H2CheckpointStore(dir)) {
            CheckpointContents contents = new CheckpointContents();
            store.loadLatest(contents);
            restarted.restore(contents);
        }
        System.out.printf(
                "restart: opened and loaded %,d keys at index %,d in %.1f s (state equal: %b)%n",
                restarted.size(MAP),
                restarted.appliedIndex(),
                seconds(load),
                java.util.Arrays.equals(restarted.snapshot(), machine.snapshot()));
    }

    private static LogEntry put(long index, int key, Random random) {
        byte[] value = new byte[100];
        random.nextBytes(value);
        byte[] command = new StateCommand.Put(
                        MAP, String.format("key-%09d", key).getBytes(StandardCharsets.UTF_8), value)
                .encode();
        byte[] envelope = CommandEnvelope.create("", 0, 0, null, command).encode();
        return LogEntry.command(
                1, index, CommandEnvelope.stamp(envelope, HybridClock.timestamp(1_700_000_000_000L + index, 0)));
    }

    private static double millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }
}
