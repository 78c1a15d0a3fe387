package dev.replication.core;

import java.util.List;

/**
 * Leader to follower: entries following {@code (prevIndex, prevGeneration)} (none for a
 * heartbeat) and the leader's commit index (High-Water Mark).
 *
 * @param round the leader's heartbeat round this message belongs to, echoed in the response so
 *     the leader can tell acknowledgements of heartbeats sent after a read was registered
 *     (read index) from older ones
 */
public record AppendRequest(
        String from,
        String to,
        long generation,
        long prevIndex,
        long prevGeneration,
        List<LogEntry> entries,
        long commitIndex,
        long round)
        implements Message {

    public AppendRequest {
        entries = List.copyOf(entries);
    }

    public boolean isHeartbeat() {
        return entries.isEmpty();
    }

    /** Index of the last entry carried, or {@code prevIndex} for a heartbeat. */
    public long lastIndex() {
        return prevIndex + entries.size();
    }
}
