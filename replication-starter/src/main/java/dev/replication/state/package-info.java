/**
 * The replicated state machine: what committed log entries do to the application's state.
 *
 * <p>{@link dev.replication.state.KeyValueStateMachine} applies entries in log order to named,
 * versioned key-value maps (Versioned Value: a value's version is the log index that wrote it)
 * and remembers client sessions and idempotency keys
 * ({@code ClientSessions}, Idempotent Receiver) so a retried request is
 * applied once; {@link dev.replication.state.ClientSequencer} is the client half that numbers a
 * node's proposals. Applying is deterministic: it never reads a clock; "now" is the
 * {@link dev.replication.state.HybridClock} timestamp the leader stamped into the
 * {@link dev.replication.state.CommandEnvelope}. The package also owns the binary codecs of what
 * the log carries ({@link dev.replication.state.CommandEnvelope},
 * {@link dev.replication.state.StateCommand}) and of what applying answers
 * ({@link dev.replication.state.StateResult}).
 */
@NullMarked
package dev.replication.state;

import org.jspecify.annotations.NullMarked;
