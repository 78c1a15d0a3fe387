package dev.replication.state.jdbc;

import dev.replication.core.LogEntry;
import dev.replication.state.CheckpointContents;
import dev.replication.state.CommandEnvelope;
import dev.replication.state.HybridClock;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.state.StateCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** What the store tests share: entries for a machine, and loading a store into a fresh machine. */
final class Checkpoints {

    static final String MAP = "inventory";
    private static final long START_MILLIS = 1_700_000_000_000L;

    private Checkpoints() {}

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A put at {@code index}, optionally from a client session with an idempotency key. */
    static LogEntry put(long index, String key, String value) {
        return entry(index, CommandEnvelope.create("", 0, 0, null, putCommand(key, value)));
    }

    static LogEntry delete(long index, String key) {
        return entry(index, CommandEnvelope.create("", 0, 0, null, new StateCommand.Delete(MAP, bytes(key)).encode()));
    }

    static CommandEnvelope fromClient(
            String clientId, long sequence, @Nullable String idempotencyKey, String key, String value) {
        return CommandEnvelope.create(clientId, sequence, sequence, idempotencyKey, putCommand(key, value));
    }

    static LogEntry entry(long index, CommandEnvelope envelope) {
        long timestamp = HybridClock.timestamp(START_MILLIS + index * 1_000, 0);
        return LogEntry.command(1, index, CommandEnvelope.stamp(envelope.encode(), timestamp));
    }

    private static byte[] putCommand(String key, String value) {
        return new StateCommand.Put(MAP, bytes(key), bytes(value)).encode();
    }

    /** A fresh machine restored from what {@code directory} holds, the store closed again. */
    static KeyValueStateMachine loaded(Path directory) {
        try (H2CheckpointStore store = new H2CheckpointStore(directory)) {
            return loaded(store);
        }
    }

    static KeyValueStateMachine loaded(H2CheckpointStore store) {
        CheckpointContents contents = new CheckpointContents();
        KeyValueStateMachine machine = new KeyValueStateMachine();
        if (store.loadLatest(contents).isPresent()) {
            machine.restore(contents);
        }
        return machine;
    }
}
