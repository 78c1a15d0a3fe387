/**
 * Consensus as a pure state machine: Leader and Followers, Generation Clock, HeartBeat-driven
 * election, Quorum and High-Water Mark, Request Pipeline, Follower Reads.
 *
 * <p>This package owns the shared value types ({@link dev.replication.core.LogEntry},
 * {@link dev.replication.core.HardState}, {@link dev.replication.core.Message}s) so that
 * {@code log}, {@code transport} and {@code runtime} depend on it and never the reverse. It
 * has no threads, no I/O, no clock and no randomness of its own: time arrives as ticks,
 * randomness as a generator supplied by the driver, and every effect (persist, send, apply)
 * is handed back to the driver in a {@link dev.replication.core.Ready}.
 *
 * <p>{@link dev.replication.core.Replica} is the facade the runtime drives; it holds the
 * generation and the role and delegates to focused parts: {@code Election} (randomized timer,
 * vote tally), {@code LeaderState} (per-follower {@code FollowerReplication}: a {@code
 * ReplicationState} and a {@code RequestPipeline}; heartbeat rounds, check-quorum), {@link dev.replication.core.HighWaterMark}
 * over {@link dev.replication.core.MajorityQuorum}, {@code ReadIndex} (linearizable and follower
 * reads), {@code ReplicatedLog} (a snapshot base, durable entries plus those not yet persisted),
 * {@code FollowerAppends} (the follower's consistency check and snapshot installs) and {@code
 * ReadyTracker}. Snapshots: the driver reports its durable checkpoints with {@link
 * dev.replication.core.Replica#compact}, a leader sends {@link dev.replication.core.InstallSnapshot}
 * to a follower that needs compacted entries, and the follower's {@link dev.replication.core.Ready}
 * carries the {@link dev.replication.core.SnapshotInstall} to perform. The invariants and why they
 * hold are in {@code docs/SAFETY.md}.
 */
@NullMarked
package dev.replication.core;

import org.jspecify.annotations.NullMarked;
