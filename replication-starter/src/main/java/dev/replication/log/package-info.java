/**
 * The durable log of one node: Write-Ahead Log, Segmented Log and Low-Water Mark.
 *
 * <p>Owns the on-disk record and segment formats, group commit (one writer thread, one fsync
 * per batch, sticky failure except for a full disk, which is retried), recovery on open
 * (CRC-verified, unforced tails truncated, damage to forced data refused), truncation of a conflicting suffix and of a compacted prefix, the
 * atomically written {@link dev.replication.log.HardStateFile} and the node's
 * {@link dev.replication.log.DataDirectory}. Every file operation goes through the
 * {@link dev.replication.log.FileLayer} seam so tests can substitute a layer that loses
 * unsynced writes at a simulated crash. Depends on {@code core} for the value types; nothing
 * in {@code core} depends on this package.
 *
 * <p>Why each record names the forced length of its segment: after a power loss the pages
 * written since the last fsync may survive in any subset, so a valid record after a bad one
 * does not mean the bad one was durable. A record is written only after the force it names
 * returned, so a valid one proves that prefix durable; recovery refuses damage inside a proven
 * prefix and cuts everything after the first bad record otherwise (see
 * {@code LogRecovery}). The alternative, a durable-length checkpoint
 * written after each fsync, would prove the last batch too but cost a second fsync per batch.
 *
 * <p>Disk signals: {@link dev.replication.log.SegmentedLog#health()} tells a full disk (appends
 * wait unacknowledged and are retried) and how long the persist in progress has taken, from
 * any thread, so a node can refuse new writes and report a stall without waiting on the writer.
 */
@NullMarked
package dev.replication.log;

import org.jspecify.annotations.NullMarked;
