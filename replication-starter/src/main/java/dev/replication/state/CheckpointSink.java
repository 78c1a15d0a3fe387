package dev.replication.state;

/**
 * Where a {@link CheckpointStore} streams the checkpoint it loads: the header first, then the
 * values, sessions and idempotency answers (these oldest first), so a million keys never need a
 * second in-memory copy.
 */
public interface CheckpointSink {

    /** Called once, before anything else. */
    void header(CheckpointHeader header);

    /** One key of {@code map}; the arrays become the sink's. */
    void value(String map, byte[] key, StoredValue value);

    void session(SessionImage session);

    /** One remembered idempotency key; called in the order the keys were added, oldest first. */
    void idempotencyAnswer(IdempotencyAnswer answer);
}
