package dev.replication.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record of the replicated log: the generation (term) of the leader that created it, its
 * position, its type and an opaque payload. Immutable: the payload array must not be modified
 * after construction.
 */
public record LogEntry(long generation, long index, EntryType type, byte[] payload) {

    private static final byte[] EMPTY = new byte[0];

    public LogEntry {
        if (generation < 0) {
            throw new IllegalArgumentException("generation must be >= 0, was " + generation);
        }
        if (index < 1) {
            throw new IllegalArgumentException("index must be >= 1, was " + index);
        }
        Objects.requireNonNull(type, "type");
        payload = payload == null ? EMPTY : payload;
    }

    public static LogEntry noop(long generation, long index) {
        return new LogEntry(generation, index, EntryType.NOOP, EMPTY);
    }

    public static LogEntry command(long generation, long index, byte[] payload) {
        return new LogEntry(generation, index, EntryType.COMMAND, payload);
    }

    /** Size of the payload in bytes, used to bound append batches. */
    public int payloadSize() {
        return payload.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LogEntry that
                && generation == that.generation
                && index == that.index
                && type == that.type
                && Arrays.equals(payload, that.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(generation, index, type, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "LogEntry[" + index + "@g" + generation + " " + type + " " + payload.length + "B]";
    }
}
