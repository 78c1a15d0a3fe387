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
 */
package dev.replication.core;
