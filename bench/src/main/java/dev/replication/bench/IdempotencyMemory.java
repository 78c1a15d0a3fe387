package dev.replication.bench;

import dev.replication.core.LogEntry;
import dev.replication.state.CommandEnvelope;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.StateCommand;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Heap each remembered idempotency key costs in the state machine: applies {@code keys} puts of a
 * {@code valueBytes} value to one key, each with a fresh UUID idempotency key and without a client
 * session (as a retried HTTP write arrives), and prints the heap after GC per key. Run by hand:
 * {@code bench/run-idempotency-memory}; never part of verify.
 */
public final class IdempotencyMemory {

    private IdempotencyMemory() {}

    public static void main(String[] args) {
        int keys = Integer.getInteger("keys", 100_000);
        int valueBytes = Integer.getInteger("valueBytes", 100);
        byte[] value = new byte[valueBytes];
        java.util.Arrays.fill(value, (byte) 'v');
        byte[] key = "apple".getBytes(StandardCharsets.UTF_8);
        KeyValueStateMachine stateMachine = new KeyValueStateMachine();
        long index = 1;
        long millis = System.currentTimeMillis();
        // Warm up, and leave the key present so every later put has a previous value.
        stateMachine.apply(entry(index++, millis, null, key, value));
        long before = heapAfterGc();
        for (int i = 0; i < keys; i++) {
            stateMachine.apply(entry(index++, millis + i, UUID.randomUUID().toString(), key, value));
        }
        long after = heapAfterGc();
        int remembered = stateMachine.idempotencyKeyCount();
        System.out.printf(
                "%d keyed puts, %d-byte values: %d keys remembered, heap +%.1f MB after GC,"
                        + " %.0f bytes per remembered key%n",
                keys, valueBytes, remembered, (after - before) / 1e6, (after - before) / (double) remembered);
    }

    private static LogEntry entry(long index, long millis, String idempotencyKey, byte[] key, byte[] value) {
        byte[] command = new StateCommand.Put("inventory", key, value).encode();
        byte[] envelope =
                CommandEnvelope.create("", 0, 0, idempotencyKey, command).encode();
        return LogEntry.command(1, index, CommandEnvelope.stamp(envelope, millis << 16));
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 5; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
