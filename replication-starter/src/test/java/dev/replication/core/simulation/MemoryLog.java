package dev.replication.core.simulation;

import dev.replication.core.LogEntry;
import dev.replication.core.LogReader;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's durable log in memory: what survives a simulated crash. Keeps a hash of every
 * prefix so that log matching can be checked in constant time per stored entry. After a
 * compaction or a snapshot install it starts past index 1; the hash of the prefix before its
 * first entry is kept (it came from the snapshot's log), so prefixes stay comparable.
 */
public final class MemoryLog implements LogReader {

    private final List<LogEntry> entries = new ArrayList<>();
    private final List<Long> prefixHashes = new ArrayList<>();
    /** Index of {@code entries.get(0)}. */
    private long first = 1;
    /** Hash of the entries 1..first-1. */
    private long baseHash;

    @Override
    public long firstIndex() {
        return first;
    }

    @Override
    public long lastIndex() {
        return first + entries.size() - 1;
    }

    @Override
    public LogEntry entry(long index) {
        if (index < first || index > lastIndex()) {
            throw new IllegalArgumentException(
                    "no durable entry " + index + "; the log holds [" + first + ".." + lastIndex() + "]");
        }
        return entries.get((int) (index - first));
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

    /** Hash of the entries 1..index (0 for the empty prefix); known from the base on. */
    public long prefixHash(long index) {
        if (index == first - 1) {
            return baseHash;
        }
        if (index < first - 1 || index > lastIndex()) {
            throw new IllegalArgumentException(
                    "no prefix hash at " + index + "; the log holds [" + first + ".." + lastIndex() + "]");
        }
        return prefixHashes.get((int) (index - first));
    }

    /** Stores {@code batch}, first truncating the stored suffix it overlaps. */
    public void append(List<LogEntry> batch) {
        if (batch.isEmpty()) {
            return;
        }
        long from = batch.get(0).index();
        if (from > lastIndex() + 1 || from < first) {
            throw new IllegalStateException("asked to store " + from + " in a durable log holding [" + first + ".."
                    + lastIndex() + "]: a gap, or below its compacted prefix");
        }
        truncateAfter(from - 1);
        for (LogEntry entry : batch) {
            long previous = prefixHash(lastIndex());
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

    /** Deletes the entries below {@code firstKept} (a compaction after a durable snapshot). */
    public void deleteBelow(long firstKept) {
        if (firstKept <= first) {
            return;
        }
        if (firstKept > lastIndex() + 1) {
            throw new IllegalArgumentException(
                    "cannot keep from " + firstKept + ": the log holds [" + first + ".." + lastIndex() + "]");
        }
        baseHash = prefixHash(firstKept - 1);
        int drop = (int) (firstKept - first);
        entries.subList(0, drop).clear();
        prefixHashes.subList(0, drop).clear();
        first = firstKept;
    }

    /** Discards everything: the log goes on after {@code index}, whose prefix hashes to {@code hash}. */
    public void resetAfter(long index, long hash) {
        entries.clear();
        prefixHashes.clear();
        first = index + 1;
        baseHash = hash;
    }

    private static long entryHash(LogEntry entry) {
        return entry.hashCode() * 31L + entry.index();
    }
}
