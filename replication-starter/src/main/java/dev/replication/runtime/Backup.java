package dev.replication.runtime;

import java.nio.file.Path;

/**
 * A consistent copy of a node's replicated state, as of a checkpoint: restore a whole cluster from
 * it with replication.restore-from (see the README's backup section).
 *
 * @param file where it was written
 * @param index the last log index the state covers
 * @param generation the generation of the entry at {@code index}
 * @param bytes its size
 */
public record Backup(Path file, long index, long generation, long bytes) {}
