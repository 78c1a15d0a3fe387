/**
 * The durable log of one node: Write-Ahead Log, Segmented Log and Low-Water Mark.
 *
 * <p>Owns the on-disk record and segment formats, group commit (one writer thread, one fsync
 * per batch, sticky failure), recovery on open (CRC-verified, torn tails truncated, mid-log
 * corruption refused), truncation of a conflicting suffix and of a compacted prefix, the
 * atomically written {@link dev.replication.log.HardStateFile} and the node's
 * {@link dev.replication.log.DataDirectory}. Every file operation goes through the
 * {@link dev.replication.log.FileLayer} seam so tests can substitute a layer that loses
 * unsynced writes at a simulated crash. Depends on {@code core} for the value types; nothing
 * in {@code core} depends on this package.
 */
@NullMarked
package dev.replication.log;

import org.jspecify.annotations.NullMarked;
