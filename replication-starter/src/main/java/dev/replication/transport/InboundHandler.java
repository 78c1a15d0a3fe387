package dev.replication.transport;

import dev.replication.core.Message;
import java.util.concurrent.CompletableFuture;

/**
 * The receiving side of a {@link PeerTransport}: implemented by the runtime. Both methods may be
 * called concurrently from several transport threads (one per inbound request); neither may
 * block, because a blocked call holds up that peer's later messages.
 */
public interface InboundHandler {

    /** A one-way message from a peer. Must not block: the runtime enqueues it. */
    void onMessage(Message message);

    /**
     * A call from {@code fromPeer} (already authenticated). The returned future's value is the
     * response body; a failed future reaches the caller as a
     * {@link PeerCallException.Delivery#MAYBE_DELIVERED MAYBE_DELIVERED} failure, so outcomes
     * the caller must act on belong in the response bytes.
     */
    CompletableFuture<byte[]> onCall(String fromPeer, String operation, byte[] body);
}
