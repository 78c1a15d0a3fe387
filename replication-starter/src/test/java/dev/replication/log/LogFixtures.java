package dev.replication.log;

import dev.replication.core.EntryType;
import dev.replication.core.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Entries whose payload is derived from their index, so any reader can check them. */
final class LogFixtures {

    private LogFixtures() {}

    static LogEntry entry(long generation, long index, int payloadSize) {
        return new LogEntry(generation, index, EntryType.COMMAND, payloadFor(index, payloadSize));
    }

    static List<LogEntry> entries(long generation, long fromIndex, int count, int payloadSize) {
        List<LogEntry> entries = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            entries.add(entry(generation, fromIndex + k, payloadSize));
        }
        return entries;
    }

    static byte[] payloadFor(long index, int size) {
        byte[] payload = new byte[size];
        new Random(index * 31 + size).nextBytes(payload);
        return payload;
    }
}
