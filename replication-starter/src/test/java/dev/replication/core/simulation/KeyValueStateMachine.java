package dev.replication.core.simulation;

import dev.replication.core.EntryType;
import dev.replication.core.LogEntry;
import dev.replication.core.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulator's tiny deterministic key-value state machine. Commands are text: {@code W key
 * value} (write), {@code C key expected value} (compare-and-set, {@code expected} is {@value
 * #ABSENT} for "no value"), {@code R key} (read through the log).
 */
public final class KeyValueStateMachine implements StateMachine<Object> {

    public static final String ABSENT = "_";

    private final Map<String, String> values = new HashMap<>();
    private long appliedIndex;

    public static byte[] write(String key, String value) {
        return ("W " + key + " " + value).getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] compareAndSet(String key, String expected, String value) {
        return ("C " + key + " " + (expected == null ? ABSENT : expected) + " " + value)
                .getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] read(String key) {
        return ("R " + key).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Applies the next committed entry; returns the command's result: null for a write, a
     * Boolean for a compare-and-set, the value (or null) for a read, null for a no-op.
     */
    public Object apply(LogEntry entry) {
        if (entry.index() != appliedIndex + 1) {
            throw new IllegalStateException("applying entry " + entry.index() + " after " + appliedIndex
                    + ": committed entries must be applied in order without gaps");
        }
        appliedIndex = entry.index();
        if (entry.type() != EntryType.COMMAND) {
            return null;
        }
        String[] parts = new String(entry.payload(), StandardCharsets.UTF_8).split(" ");
        switch (parts[0]) {
            case "W":
                values.put(parts[1], parts[2]);
                return null;
            case "C":
                String current = values.get(parts[1]);
                String expected = ABSENT.equals(parts[2]) ? null : parts[2];
                if (java.util.Objects.equals(current, expected)) {
                    values.put(parts[1], parts[3]);
                    return Boolean.TRUE;
                }
                return Boolean.FALSE;
            case "R":
                return values.get(parts[1]);
            default:
                throw new IllegalStateException("unknown command in entry " + entry);
        }
    }

    public String get(String key) {
        return values.get(key);
    }

    public long appliedIndex() {
        return appliedIndex;
    }

    public Map<String, String> snapshot() {
        return Map.copyOf(values);
    }

    /** Simulated commands carry no stamp: applying them needs no time. */
    @Override
    public byte[] stamp(byte[] command) {
        return command;
    }

    @Override
    public void observe(LogEntry stored) {}

    /** The applied index, then the values sorted by key. */
    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeLong(appliedIndex);
        data.writeInt(values.size());
        for (Map.Entry<String, String> entry : new TreeMap<>(values).entrySet()) {
            data.writeUTF(entry.getKey());
            data.writeUTF(entry.getValue());
        }
        data.flush();
    }

    @Override
    public void restoreSnapshot(long index, InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        long snapshotIndex = data.readLong();
        if (snapshotIndex != index) {
            throw new IOException("snapshot at index " + snapshotIndex + ", not " + index);
        }
        Map<String, String> restored = new HashMap<>();
        int count = data.readInt();
        for (int i = 0; i < count; i++) {
            restored.put(data.readUTF(), data.readUTF());
        }
        values.clear();
        values.putAll(restored);
        appliedIndex = snapshotIndex;
    }
}
