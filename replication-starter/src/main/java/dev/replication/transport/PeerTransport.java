package dev.replication.transport;

import dev.replication.core.Message;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Carries core messages and request/response calls between cluster members. */
public interface PeerTransport extends AutoCloseable {

    /** Starts delivering inbound traffic to {@code handler}; call once, before sending. */
    void start(InboundHandler handler);

    /**
     * Never blocks the caller (the single update-queue thread): enqueues for the peer's channel;
     * when that peer's queue is full the message is dropped and counted (the core retries).
     */
    void send(Message message);

    /**
     * Request/response to one peer (the runtime uses it to forward client proposals and reads).
     * Fails with {@link PeerCallException} whose {@code delivery()} is
     * {@link PeerCallException.Delivery#NOT_DELIVERED NOT_DELIVERED} (certainly never reached the
     * peer's handler, e.g. connect refused, unknown peer) or
     * {@link PeerCallException.Delivery#MAYBE_DELIVERED MAYBE_DELIVERED} (timeout / reset after
     * sending), so callers can tell "safe to retry" from "outcome unknown".
     */
    CompletableFuture<byte[]> call(String peerId, String operation, byte[] body, Duration timeout);

    /**
     * The largest call body (and encoded message batch) a peer accepts; a larger call fails as
     * {@code NOT_DELIVERED} without being sent, so callers that batch stay below it.
     */
    default int maxRequestBytes() {
        return Integer.MAX_VALUE;
    }

    @Override
    void close();
}
