package dev.replication.core;

/**
 * A follower's order to its driver ({@link Ready#snapshotToInstall()}): swap in the snapshot that
 * arrived with the leader's {@link InstallSnapshot} (already stored aside and fsync'd) as the
 * state machine's state and the log's new base.
 *
 * @param index the snapshot's last covered index; the next committed entry is {@code index + 1}
 * @param generation the generation of the entry at {@code index}
 * @param keepSuffix whether the driver keeps its stored entries after {@code index} (the stored
 *     entry there is durable and of {@code generation}, so by log matching the prefix is the
 *     snapshot's; the suffix is checked by the next appends like any other); otherwise it discards
 *     its whole stored log, and the core hands it again whatever it still needs after {@code index}
 */
public record SnapshotInstall(long index, long generation, boolean keepSuffix) {}
