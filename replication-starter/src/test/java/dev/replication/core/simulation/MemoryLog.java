package dev.replication.core.simulation;

import dev.replication.core.LogEntry;
import dev.replication.core.LogReader;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's durable log in memory: what survives a simulated crash. Keeps a hash of every
 * prefix so that log matching can be checked in constant time per stored entry.
 */
public final class MemoryLog implements LogReader {

    private final List<LogEntry> entries = new ArrayList<>();
    private final List<Long> prefixHashes = new ArrayList<>();

    @Override
    public long firstIndex() {
        return 1;
    }

    @Override
    public long lastIndex() {
        return entries.size();
    }

    @Override
    public LogEntry entry(long index) {
        if (index < 1 || index > entries.size()) {
            throw new IllegalArgumentException("no durable entry " + index + "; the log ends at " + entries.size());
        }
        return entries.get((int) index - 1);
    }

    @Override
    public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
        List<LogEntry> result = new ArrayList<>();
        long bytes = 0;
        for (long index = fromIndex; index <= Math.min(toIndex, lastIndex()); index++) {
            LogEntry entry = entry(index);
            if (!result.isEmpty() && bytes + entry.payloadSize() > maxBytes) {
                break;
            }
            bytes += entry.payloadSize();
            result.add(entry);
        }
        return result;
    }

    @Override
    public long generationAt(long index) {
        return index == 0 ? 0 : entry(index).generation();
    }

    /** Hash of the entries 1..index (0 for the empty prefix). */
    public long prefixHash(long index) {
        return index == 0 ? 0 : prefixHashes.get((int) index - 1);
    }

    /** Stores {@code batch}, first truncating the stored suffix it overlaps. */
    public void append(List<LogEntry> batch) {
        if (batch.isEmpty()) {
            return;
        }
        long first = batch.get(0).index();
        if (first > lastIndex() + 1) {
            throw new IllegalStateException(
                    "gap in the durable log: asked to store " + first + " after " + lastIndex());
        }
        while (lastIndex() >= first) {
            entries.remove(entries.size() - 1);
            prefixHashes.remove(prefixHashes.size() - 1);
        }
        for (LogEntry entry : batch) {
            long previous = prefixHash(entries.size());
            entries.add(entry);
            prefixHashes.add(previous * 1_000_003L + entryHash(entry));
        }
    }

    /** Drops every entry after {@code index}: a power loss took an unsynced tail. */
    public void truncateAfter(long index) {
        while (lastIndex() > index) {
            entries.remove(entries.size() - 1);
            prefixHashes.remove(prefixHashes.size() - 1);
        }
    }

    /** Keeps only the first {@code count} entries of {@code batch}: a torn write at a crash. */
    public void appendPrefix(List<LogEntry> batch, int count) {
        append(batch.subList(0, count));
    }

    private static long entryHash(LogEntry entry) {
        return entry.hashCode() * 31L + entry.index();
    }
}
