package dev.replication.runtime;

import dev.replication.api.ReadConsistency;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * What the application-facing maps need from the running node: submit a state command to the
 * replicated log, and wait until local state is fresh enough to read.
 */
public interface ReplicationGateway {

    /**
     * Submits {@code command} (encoded by the state machine's command codec) and completes with
     * the state machine's result once the entry is committed and applied on THIS node (so a
     * local read afterwards sees it). A command sent from a follower is forwarded to the leader.
     *
     * @param idempotencyKey null for a fresh write; otherwise a caller-chosen key: a retry with
     *     the same key (through any node, across leader changes) is applied at most once and
     *     answered with the first result
     * @return fails with {@code NotAppliedException} when the command certainly never entered
     *     the log (safe to retry), {@code OutcomeUnknownException} when it may or may not have
     *     committed
     */
    CompletableFuture<byte[]> submit(byte[] command, @Nullable String idempotencyKey, Duration timeout);

    /**
     * Completes when this node's applied state may be read at {@code consistency} and has
     * applied at least {@code minIndex} (0: no minimum); for STALE with no minimum, at once.
     */
    CompletableFuture<Void> readBarrier(ReadConsistency consistency, long minIndex, Duration timeout);
}
