package dev.replication.state;

import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The client half of a client session: numbers the proposals one client (for example a node
 * forwarding writes to the leader) sends, and tracks which answers it still waits for, so each
 * {@link CommandEnvelope} carries its client id, sequence and first unacknowledged sequence.
 *
 * <p>A retried proposal must be re-sent as the same envelope (same sequence), never wrapped anew:
 * that is what lets the state machine answer it from the session instead of applying it twice.
 * Call {@link #answered} once the answer arrived or the caller gave up on it, so the replicated
 * sessions can forget that answer.
 *
 * <p>The client id must be new for every process lifetime ({@link #clientId(String, String)}
 * with a fresh incarnation), because sequences restart at 1: otherwise a restarted node's new
 * proposals would be mistaken for duplicates of its old ones.
 *
 * <p>Thread-safe.
 */
public final class ClientSequencer {

    private final String clientId;
    private final TreeSet<Long> outstanding = new TreeSet<>();
    private long lastSequence;

    public ClientSequencer(String clientId) {
        if (clientId == null || clientId.isEmpty()) {
            throw new IllegalArgumentException("a client session needs a non-empty client id, for example"
                    + " ClientSequencer.clientId(nodeId, incarnation)");
        }
        this.clientId = clientId;
    }

    /** A client id unique to one process lifetime of a node: its id plus a per-process incarnation. */
    public static String clientId(String nodeId, String incarnation) {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(incarnation, "incarnation");
        return nodeId + "/" + incarnation;
    }

    public String clientId() {
        return clientId;
    }

    /**
     * Wraps {@code command} in an unstamped envelope with the next sequence number.
     *
     * @param idempotencyKey the application's key, null when none
     */
    public synchronized CommandEnvelope envelope(byte[] command, @Nullable String idempotencyKey) {
        long sequence = ++lastSequence;
        outstanding.add(sequence);
        return CommandEnvelope.create(clientId, sequence, outstanding.first(), idempotencyKey, command);
    }

    /** Marks the proposal with {@code sequence} as answered (or abandoned): its answer may be forgotten. */
    public synchronized void answered(long sequence) {
        outstanding.remove(sequence);
    }

    /** The lowest sequence still waiting for its answer, or the next sequence when none waits. */
    public synchronized long firstUnacknowledged() {
        return outstanding.isEmpty() ? lastSequence + 1 : outstanding.first();
    }
}
