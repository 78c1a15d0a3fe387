package dev.replication.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The log as this replica sees it: the durable log (read through the driver's {@link LogReader})
 * followed by the entries not yet reported durable (unstable, held in memory). Entries from
 * {@code unstableStart} on come from memory and override whatever the durable log still holds
 * there (a suffix truncated in memory is truncated on disk when the driver persists the next
 * entries).
 */
final class ReplicatedLog implements LogReader {

    private final LogReader durable;
    private final List<LogEntry> unstable = new ArrayList<>();
    /** Index of {@code unstable.get(0)}; every index below it is durable. */
    private long unstableStart;
    /** First index not yet handed to the driver to persist. */
    private long unsubmittedFrom;

    ReplicatedLog(LogReader durable) {
        this.durable = durable;
        this.unstableStart = durable.lastIndex() + 1;
        this.unsubmittedFrom = unstableStart;
    }

    @Override
    public long firstIndex() {
        long first = durable.firstIndex();
        return Math.min(first, unstableStart);
    }

    @Override
    public long lastIndex() {
        return unstable.isEmpty() ? unstableStart - 1 : unstableStart + unstable.size() - 1;
    }

    long lastGeneration() {
        return generationAt(lastIndex());
    }

    /** The last index that is durable locally and still part of this log. */
    long persistedIndex() {
        return unstableStart - 1;
    }

    @Override
    public long generationAt(long index) {
        if (index == 0) {
            return 0;
        }
        if (index < 0 || index > lastIndex()) {
            throw new IllegalArgumentException("no entry at index " + index + "; the log ends at " + lastIndex());
        }
        if (index >= unstableStart) {
            return unstable.get((int) (index - unstableStart)).generation();
        }
        return durable.generationAt(index);
    }

    @Override
    public LogEntry entry(long index) {
        if (index < 1 || index > lastIndex()) {
            throw new IllegalArgumentException("no entry at index " + index + "; the log ends at " + lastIndex());
        }
        if (index >= unstableStart) {
            return unstable.get((int) (index - unstableStart));
        }
        return durable.entry(index);
    }

    @Override
    public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
        List<LogEntry> result = new ArrayList<>();
        long end = Math.min(toIndex, lastIndex());
        long bytes = 0;
        long index = fromIndex;
        if (index < unstableStart && index <= end) {
            List<LogEntry> stored = durable.entries(index, Math.min(end, unstableStart - 1), maxBytes);
            for (LogEntry entry : stored) {
                bytes += entry.payloadSize();
                result.add(entry);
            }
            index += stored.size();
            if (index < unstableStart) {
                return result; // the byte limit stopped the durable read
            }
        }
        for (; index <= end; index++) {
            LogEntry entry = unstable.get((int) (index - unstableStart));
            if (!result.isEmpty() && bytes + entry.payloadSize() > maxBytes) {
                break;
            }
            bytes += entry.payloadSize();
            result.add(entry);
        }
        return result;
    }

    /** Whether a log ending at {@code (lastIndex, lastGeneration)} is at least as up to date. */
    boolean isAsUpToDateAs(long otherLastIndex, long otherLastGeneration) {
        long myLastGeneration = lastGeneration();
        return otherLastGeneration > myLastGeneration
                || (otherLastGeneration == myLastGeneration && otherLastIndex >= lastIndex());
    }

    /** Leader: appends a new entry at the end. */
    void append(LogEntry entry) {
        if (entry.index() != lastIndex() + 1) {
            throw new IllegalStateException("entry " + entry + " does not follow the last index " + lastIndex());
        }
        if (unstable.isEmpty()) {
            unstableStart = entry.index();
        }
        unstable.add(entry);
    }

    /**
     * Follower: stores entries received after a passed consistency check. An entry already
     * present with the same generation is kept (a duplicated or reordered append truncates
     * nothing); the suffix is truncated only from the first entry that really conflicts.
     *
     * @return the first truncated index, or 0 if nothing was truncated
     */
    long appendFromLeader(List<LogEntry> entries, long commitIndex) {
        long truncatedAt = 0;
        for (LogEntry entry : entries) {
            long index = entry.index();
            if (index <= lastIndex()) {
                if (generationAt(index) == entry.generation()) {
                    continue;
                }
                if (index <= commitIndex) {
                    throw new IllegalStateException("entry " + index + " is committed but the leader sent " + entry
                            + " in its place: the log matching guarantee is broken, stop this node");
                }
                truncateFrom(index);
                truncatedAt = truncatedAt == 0 ? index : truncatedAt;
            }
            append(entry);
        }
        return truncatedAt;
    }

    private void truncateFrom(long index) {
        if (index >= unstableStart) {
            unstable.subList((int) (index - unstableStart), unstable.size()).clear();
        } else {
            unstable.clear();
            unstableStart = index;
        }
        unsubmittedFrom = Math.min(unsubmittedFrom, index);
    }

    boolean hasUnsubmitted() {
        return Math.max(unsubmittedFrom, unstableStart) <= lastIndex();
    }

    /** Entries the driver has not yet been asked to persist. */
    List<LogEntry> unsubmitted() {
        long from = Math.max(unsubmittedFrom, unstableStart);
        if (from > lastIndex()) {
            return List.of();
        }
        return new ArrayList<>(unstable.subList((int) (from - unstableStart), unstable.size()));
    }

    /** The driver has been handed the entries up to {@code index} to persist. */
    void submitted(long index) {
        unsubmittedFrom = Math.max(unsubmittedFrom, index + 1);
    }

    /**
     * The driver reports entries up to {@code index} durable; ignored if the entry there is no
     * longer of {@code generation} (it was truncated and replaced meanwhile).
     *
     * @return whether the durable prefix grew
     */
    boolean persisted(long index, long generation) {
        if (index < unstableStart || index > lastIndex() || generationAt(index) != generation) {
            return false;
        }
        unstable.subList(0, (int) (index - unstableStart + 1)).clear();
        unstableStart = index + 1;
        unsubmittedFrom = Math.max(unsubmittedFrom, unstableStart);
        return true;
    }

    /**
     * For a rejected append at {@code prevIndex}: the first index of the conflicting generation
     * there (not below {@code floor}), or the last index plus one if the log is shorter.
     */
    long rejectionHint(long prevIndex, long floor) {
        if (prevIndex > lastIndex()) {
            return lastIndex() + 1;
        }
        long conflicting = generationAt(prevIndex);
        long index = prevIndex;
        while (index - 1 > floor && generationAt(index - 1) == conflicting) {
            index--;
        }
        return index;
    }
}
