package dev.replication.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The log as this replica sees it: a snapshot base, the durable log (read through the driver's
 * {@link LogReader}) and the entries not yet reported durable (unstable, held in memory). Entries
 * from {@code unstableStart} on come from memory and override whatever the durable log still holds
 * there (a suffix truncated in memory is truncated on disk when the driver persists the next
 * entries).
 *
 * <p>Every entry up to the snapshot index is covered by a durable snapshot. The driver deletes
 * entries below the first kept index on another thread at any time after {@link #compact}, so
 * nothing below {@link #firstIndex()} is ever read again: the generation of the entry just before
 * it, and of the snapshot's entry, are kept here instead, so appends after them can still name
 * their previous entry.
 */
final class ReplicatedLog implements LogReader {

    private final LogReader durable;
    private final List<LogEntry> unstable = new ArrayList<>();
    /** Index of {@code unstable.get(0)}; every index below it is durable. */
    private long unstableStart;
    /** First index not yet handed to the driver to persist. */
    private long unsubmittedFrom;

    private long snapshotIndex;
    private long snapshotGeneration;
    /** The first index whose entry may be read from the durable log. */
    private long firstReadable;
    /** Generation of the entry at {@code firstReadable - 1} (0 when that is index 0). */
    private long generationBeforeFirst;

    ReplicatedLog(LogReader durable) {
        this(durable, SnapshotMeta.NONE);
    }

    ReplicatedLog(LogReader durable, SnapshotMeta snapshot) {
        this.durable = durable;
        this.snapshotIndex = snapshot.index();
        this.snapshotGeneration = snapshot.generation();
        long first = durable.firstIndex();
        long last = durable.lastIndex();
        if (last < first || last <= snapshotIndex) {
            if (last >= first && last < snapshotIndex) {
                throw new IllegalArgumentException("the durable log [" + first + ".." + last
                        + "] ends before the snapshot at " + snapshotIndex
                        + ": a log this far behind its snapshot must be reset when the snapshot is installed");
            }
            // Nothing stored after the snapshot: the log goes on right after it.
            firstReadable = snapshotIndex + 1;
            generationBeforeFirst = snapshotGeneration;
        } else if (first > snapshotIndex + 1) {
            throw new IllegalArgumentException(
                    "the durable log starts at " + first + " but the snapshot covers only up to "
                            + snapshotIndex + ": entries " + (snapshotIndex + 1) + ".." + (first - 1)
                            + " are in neither (was the log compacted before its snapshot was durable?)");
        } else if (first - 1 == snapshotIndex || first == 1) {
            firstReadable = first;
            generationBeforeFirst = first - 1 == snapshotIndex ? snapshotGeneration : 0;
        } else {
            // A margin kept below the snapshot: the generation before its first entry is not
            // stored, so its first entry only names the generation for an append after it.
            firstReadable = first + 1;
            generationBeforeFirst = durable.generationAt(first);
        }
        if (snapshotIndex >= firstReadable && durable.generationAt(snapshotIndex) != snapshotGeneration) {
            throw new IllegalArgumentException("the durable log holds entry " + snapshotIndex + " of generation "
                    + durable.generationAt(snapshotIndex) + " but the snapshot there is of generation "
                    + snapshotGeneration + ": the log does not belong to this snapshot");
        }
        this.unstableStart = Math.max(last, snapshotIndex) + 1;
        this.unsubmittedFrom = unstableStart;
    }

    /** Index of the first entry that may still be read; those below are compacted. */
    @Override
    public long firstIndex() {
        return firstReadable;
    }

    long snapshotIndex() {
        return snapshotIndex;
    }

    long snapshotGeneration() {
        return snapshotGeneration;
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

    /**
     * Whether the generation at {@code index} is known: index 0, the snapshot's entry, the entry
     * just before the first readable one, or any entry held.
     */
    boolean hasGenerationAt(long index) {
        return index == 0 || index == snapshotIndex || (index >= firstReadable - 1 && index <= lastIndex());
    }

    @Override
    public long generationAt(long index) {
        if (index == snapshotIndex) {
            return snapshotGeneration;
        }
        if (index == 0) {
            return 0;
        }
        if (index < 0 || index > lastIndex()) {
            throw new IllegalArgumentException("no entry at index " + index + "; the log ends at " + lastIndex());
        }
        if (index < firstReadable - 1) {
            throw compacted(index);
        }
        if (index == firstReadable - 1) {
            return generationBeforeFirst;
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
        if (index < firstReadable) {
            throw compacted(index);
        }
        if (index >= unstableStart) {
            return unstable.get((int) (index - unstableStart));
        }
        return durable.entry(index);
    }

    private IllegalArgumentException compacted(long index) {
        return new IllegalArgumentException("entry " + index + " is compacted: the log holds entries from "
                + firstReadable + " on, after a snapshot at " + snapshotIndex);
    }

    @Override
    public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
        if (fromIndex < firstReadable && fromIndex <= Math.min(toIndex, lastIndex())) {
            throw compacted(fromIndex);
        }
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
                if (!hasGenerationAt(index) || generationAt(index) == entry.generation()) {
                    // A compacted entry is covered by the snapshot: committed, so it matches.
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

    /**
     * A durable snapshot now covers every entry up to {@code index} (of {@code generation}); the
     * driver will delete the entries below {@code firstKept}, so none of them is read again.
     * The caller has checked that {@code index} is applied; {@code firstKept} at most {@code
     * index + 1}, and never below what is already compacted (a lower one keeps nothing more).
     */
    void compact(long index, long generation, long firstKept) {
        if (index < snapshotIndex) {
            throw new IllegalArgumentException(
                    "a snapshot at " + index + " is below the current snapshot at " + snapshotIndex);
        }
        if (firstKept > index + 1) {
            throw new IllegalArgumentException("the first kept index " + firstKept + " is past the snapshot at " + index
                    + ": entries " + (index + 1) + ".." + (firstKept - 1) + " would be in neither");
        }
        if (generationAt(index) != generation) {
            throw new IllegalArgumentException("the snapshot at " + index + " names generation " + generation
                    + " but the entry there is of generation " + generationAt(index));
        }
        long newFirst = Math.max(firstKept, firstReadable);
        generationBeforeFirst = generationAt(newFirst - 1); // still readable: nothing is deleted yet
        firstReadable = newFirst;
        snapshotIndex = index;
        snapshotGeneration = generation;
    }

    /**
     * Follower: the leader's snapshot at {@code index} (of {@code generation}, above the commit
     * index) replaces the log up to it. A durable entry there of the same generation means the
     * stored log agrees up to it (log matching): the driver keeps the stored suffix after it.
     * Otherwise the driver discards its whole stored log; an entry of the same generation that
     * is still in memory only keeps the entries after it here, handed to the driver again.
     *
     * @return whether the driver keeps its stored entries after {@code index}
     */
    boolean installSnapshot(long index, long generation) {
        boolean matches = index <= lastIndex() && generationAt(index) == generation;
        boolean keepStored = matches && index < unstableStart;
        if (!keepStored) {
            if (matches) {
                unstable.subList(0, (int) (index - unstableStart + 1)).clear();
            } else {
                unstable.clear();
            }
            unstableStart = index + 1;
            unsubmittedFrom = index + 1;
        }
        snapshotIndex = index;
        snapshotGeneration = generation;
        firstReadable = index + 1;
        generationBeforeFirst = generation;
        return keepStored;
    }
}
