package dev.replication.state;

import dev.replication.core.LogEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Applies commands to a state machine as consecutive log entries, stamped with a log time the
 * test controls and the idempotency limits of the script's leader, so tests read as a script of
 * what the log contains.
 */
final class LogScript {

    static final String MAP = "inventory";

    final KeyValueStateMachine stateMachine;
    private IdempotencyLimits leaderLimits = IdempotencyLimits.DEFAULTS;
    private long nextIndex = 1;
    private long nowMillis = 1_700_000_000_000L;

    LogScript() {
        this(new KeyValueStateMachine());
    }

    /** Continues after the state machine's applied index. */
    LogScript(KeyValueStateMachine stateMachine) {
        this.stateMachine = stateMachine;
        this.nextIndex = stateMachine.appliedIndex() + 1;
    }

    /** A script whose leader stamps {@code retention} (and the default bounds) into every entry. */
    static LogScript withRetention(Duration retention) {
        return withLimits(IdempotencyLimits.DEFAULTS.withRetention(retention));
    }

    /** A script whose leader stamps {@code limits} into every entry. */
    static LogScript withLimits(IdempotencyLimits limits) {
        return new LogScript(new KeyValueStateMachine(limits)).stampingLimits(limits);
    }

    /** From now on, entries carry {@code limits}, as after a leader with another configuration took over. */
    LogScript stampingLimits(IdempotencyLimits limits) {
        leaderLimits = limits;
        return this;
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    LogScript advance(Duration logTime) {
        nowMillis += logTime.toMillis();
        return this;
    }

    StateResult put(String key, String value) {
        return apply(new StateCommand.Put(MAP, bytes(key), bytes(value)));
    }

    StateResult putIfVersion(String key, String value, long expectedVersion) {
        return apply(new StateCommand.PutIfVersion(MAP, bytes(key), bytes(value), expectedVersion));
    }

    StateResult delete(String key) {
        return apply(new StateCommand.Delete(MAP, bytes(key)));
    }

    StateResult deleteIfVersion(String key, long expectedVersion) {
        return apply(new StateCommand.DeleteIfVersion(MAP, bytes(key), expectedVersion));
    }

    StateResult apply(StateCommand command) {
        return applyEnvelope(CommandEnvelope.create("", 0, 0, null, command.encode()));
    }

    StateResult fromClient(String clientId, long sequence, long firstUnacknowledged, StateCommand command) {
        return applyEnvelope(CommandEnvelope.create(clientId, sequence, firstUnacknowledged, null, command.encode()));
    }

    StateResult withKey(String idempotencyKey, String clientId, long sequence, StateCommand command) {
        return applyEnvelope(CommandEnvelope.create(clientId, sequence, sequence, idempotencyKey, command.encode()));
    }

    StateResult applyEnvelope(CommandEnvelope envelope) {
        byte[] payload = CommandEnvelope.stamp(envelope.encode(), HybridClock.timestamp(nowMillis, 0), leaderLimits);
        return StateResult.decode(stateMachine.apply(LogEntry.command(1, nextIndex++, payload)));
    }

    byte[] applyRaw(LogEntry entry) {
        nextIndex = entry.index() + 1;
        return stateMachine.apply(entry);
    }

    long timestampNow() {
        return HybridClock.timestamp(nowMillis, 0);
    }
}
