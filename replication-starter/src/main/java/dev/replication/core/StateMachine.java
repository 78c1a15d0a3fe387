package dev.replication.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The seam between a driver (the runtime's node, the simulator's node) and the application state
 * that committed entries change. It lives in core so that every implementation (the key-value
 * machine in {@code state}, the simulator's) depends only on core, and a driver talks to any of
 * them the same way.
 *
 * <p>The driver calls every method from one thread, in this order of life: optionally
 * {@link #restoreSnapshot}, then any mix of {@link #stamp} (as leader), {@link #observe} (for each
 * entry it stores) and {@link #apply} (for each committed entry, in log order, exactly once).
 *
 * @param <R> what applying an entry answers (encoded bytes in the runtime, so they can travel back
 *     to a forwarding follower)
 */
public interface StateMachine<R> {

    /**
     * The payload a leader proposes for a client's {@code command}: the machine may add what
     * applying must not compute itself (for example a hybrid-clock timestamp, since applying never
     * reads a clock). Called only by a leader, just before proposing.
     */
    byte[] stamp(byte[] command);

    /**
     * An entry this node stores in its log (as leader or follower), before it is committed: the
     * machine takes in what it needs so that, were this node to lead next, its own stamps follow
     * every stamp already in its log.
     */
    void observe(LogEntry stored);

    /**
     * Applies the committed entry right after {@link #appliedIndex()}; deterministic, so every
     * replica answers the same.
     */
    R apply(LogEntry committed);

    /** The index of the last applied (or restored) entry; 0 before any. */
    long appliedIndex();

    /** Writes the whole state as of {@link #appliedIndex()}, in a form {@link #restoreSnapshot} reads. */
    void writeSnapshot(OutputStream out) throws IOException;

    /**
     * Replaces the whole state with a snapshot that {@link #writeSnapshot} wrote at {@code index};
     * the next entry applied is {@code index + 1}.
     *
     * @throws IOException when the snapshot cannot be read or is not a snapshot at {@code index};
     *     the state is then unchanged
     */
    void restoreSnapshot(long index, InputStream in) throws IOException;
}
