/**
 * The public surface of the starter and nothing else: what application code imports.
 *
 * <p>{@link dev.replication.api.Replicated @Replicated} declares a
 * {@link dev.replication.api.ReplicatedMap}; {@link dev.replication.api.ReadConsistency} picks how
 * fresh a read must be; {@link dev.replication.api.Versioned} is a value with the log index that
 * wrote it; the exceptions, all subclasses of {@link dev.replication.api.ReplicationException},
 * tell the caller whether a write certainly did not happen, may have happened, or lost a
 * compare-and-set; the leadership events announce when this node gains or loses leadership.
 */
@NullMarked
package dev.replication.api;

import org.jspecify.annotations.NullMarked;
