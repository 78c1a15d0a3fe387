package dev.replication.transport;

import org.jspecify.annotations.Nullable;

/**
 * A {@link PeerTransport#call call} that failed, with what is known about whether the peer's
 * handler saw the request: the difference between "safe to retry" and "outcome unknown".
 */
public class PeerCallException extends RuntimeException {

    /** Whether the request may have reached the peer's handler. */
    public enum Delivery {
        /** Certainly never reached the peer's handler: safe to retry, here or elsewhere. */
        NOT_DELIVERED,
        /** Sent, but no answer arrived (timeout, reset, peer error): the outcome is unknown. */
        MAYBE_DELIVERED
    }

    private final Delivery delivery;
    private final String peerId;

    public PeerCallException(String peerId, Delivery delivery, String message) {
        this(peerId, delivery, message, null);
    }

    public PeerCallException(String peerId, Delivery delivery, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.peerId = peerId;
        this.delivery = delivery;
    }

    public Delivery delivery() {
        return delivery;
    }

    public String peerId() {
        return peerId;
    }
}
