package dev.replication.core;

/**
 * Leader to follower: the follower needs entries the leader has compacted, so it must install the
 * leader's snapshot instead. The core only names the snapshot's base; the driver attaches the data
 * and streams it, and delivers this message to the receiving {@link Replica} once the whole
 * snapshot is stored aside and fsync'd there. Acknowledged with an {@link AppendResponse} (success,
 * match index {@code snapshotIndex}).
 *
 * @param snapshotIndex the last index the snapshot covers
 * @param snapshotGeneration the generation of the entry at {@code snapshotIndex}
 */
public record InstallSnapshot(String from, String to, long generation, long snapshotIndex, long snapshotGeneration)
        implements Message {}
