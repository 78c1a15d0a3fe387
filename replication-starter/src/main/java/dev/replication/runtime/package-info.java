/**
 * The running node: one thread (the Singular Update Queue) owns the consensus core and performs
 * each {@link dev.replication.core.Ready} through {@code NodeEffects} in the contract's order
 * (persist before acknowledging, apply before answering), and drives time with ticks.
 *
 * <p>{@code ReplicationNode} is only the event loop; the parties waiting on it live in focused
 * parts, each testable without threads: {@code PendingWrites} (writes in flight, and the one
 * decision between "not applied" and "outcome unknown"), {@code LeaderForwarding} (writes sent to
 * the leader and its answers) and {@code PendingReads} (read-index reads and applied-index
 * waiters). The application state is reached only through
 * {@link dev.replication.core.StateMachine}.
 */
@NullMarked
package dev.replication.runtime;

import org.jspecify.annotations.NullMarked;
