package dev.replication.transport;

import dev.replication.core.Message;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server half of the {@link Http2PeerTransport} without the web framework: authenticates a
 * peer request, decodes it, puts batches back in send order and hands them to the
 * {@link InboundHandler}. The servlet endpoint only maps HTTP onto these calls, so everything a
 * peer can make this node do is decided here, beside the client half it answers.
 */
public final class InboundRequests {

    private static final Logger log = LoggerFactory.getLogger(InboundRequests.class);

    /** Marks a 5xx answer given before the handler ran, so the call was certainly not delivered. */
    public static final String NOT_DELIVERED_HEADER = Http2PeerTransport.NOT_DELIVERED_HEADER;

    private final Http2PeerTransport transport;

    InboundRequests(Http2PeerTransport transport) {
        this.transport = transport;
    }

    public String nodeId() {
        return transport.nodeId();
    }

    /**
     * Checks the request's cluster credential and returns the authenticated sender; anything
     * unauthenticated, foreign or replayed fails with {@link PeerAuthenticationException}.
     *
     * @param target the path below the versioned prefix, e.g. {@code messages}
     */
    public String authenticate(UnaryOperator<String> headers, String target, byte[] body) {
        return transport.credential().verify(headers, transport.nodeId(), transport.peerIds(),
                target, body);
    }

    /** Takes a batch of one-way messages from an authenticated sender, in the sender's order. */
    public void acceptMessages(String sender, byte[] body) {
        InboundHandler handler = startedHandler();
        MessageCodec.MessageBatch batch = transport.codec().decodeOrderedBatch(body);
        for (Message message : batch.messages()) {
            checkAddressing(sender, message);
        }
        transport.sequencer().accept(sender, batch.order(), batch.messages(), message -> {
            try {
                handler.onMessage(message);
            } catch (RuntimeException failure) {
                log.warn("Node {} failed to take {} from {}; it is dropped and the sender's core"
                        + " will retry", transport.nodeId(), message.getClass().getSimpleName(),
                        sender, failure);
            }
        });
    }

    /** Hands a call from an authenticated sender to the handler; never returns null. */
    public CompletableFuture<byte[]> call(String sender, String operation, byte[] body) {
        InboundHandler handler = startedHandler();
        CompletableFuture<byte[]> answer;
        try {
            answer = handler.onCall(sender, operation, body);
        } catch (RuntimeException failure) {
            answer = CompletableFuture.failedFuture(failure);
        }
        if (answer == null) {
            answer = CompletableFuture.failedFuture(new IllegalStateException(
                    "the inbound handler returned no future for call " + operation));
        }
        return answer;
    }

    private InboundHandler startedHandler() {
        InboundHandler handler = transport.handler();
        if (handler == null) {
            throw new NotStartedException("node " + transport.nodeId() + " has not started its"
                    + " peer transport yet; retry shortly");
        }
        return handler;
    }

    private void checkAddressing(String sender, Message message) {
        if (!sender.equals(message.from())) {
            throw new PeerAuthenticationException(403, "Sender mismatch", "request authenticated"
                    + " as " + sender + " carries a " + message.getClass().getSimpleName()
                    + " from " + message.from() + "; a node may only send its own messages");
        }
        if (!transport.nodeId().equals(message.to())) {
            throw new PeerAuthenticationException(421, "Misdirected peer message", "a "
                    + message.getClass().getSimpleName() + " for " + message.to()
                    + " reached node " + transport.nodeId() + "; check replication.peers on "
                    + sender);
        }
    }

    /**
     * The endpoint is up but its transport has no handler yet: the request certainly did not
     * reach the node, so the sender may retry.
     */
    public static final class NotStartedException extends RuntimeException {
        NotStartedException(String message) {
            super(message);
        }
    }
}
