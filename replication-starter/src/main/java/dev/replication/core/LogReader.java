package dev.replication.core;

import java.util.List;

/**
 * Read-only view of the durable log that the core consults for entries it no longer holds in
 * memory (the driver provides it: the real segmented log, or an in-memory list in tests).
 */
public interface LogReader {

    /** Index of the first entry held, or {@code lastIndex() + 1} when empty. */
    long firstIndex();

    /** Index of the last durable entry, 0 when empty. */
    long lastIndex();

    /** The entry at {@code index}; {@code firstIndex() <= index <= lastIndex()}. */
    LogEntry entry(long index);

    /**
     * Entries from {@code fromIndex} (inclusive) up to {@code toIndex} (inclusive), stopping
     * early once their payloads exceed {@code maxBytes} (at least one entry is returned when
     * the range is not empty).
     */
    List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes);

    /** Generation of the entry at {@code index}; 0 for index 0. */
    long generationAt(long index);
}
