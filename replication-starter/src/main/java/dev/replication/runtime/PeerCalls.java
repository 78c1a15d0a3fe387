package dev.replication.runtime;

import dev.replication.transport.PeerCallException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** How to read a failed peer call. */
final class PeerCalls {

    private PeerCalls() {}

    /** True only when the transport is certain the request never reached the peer's handler. */
    static boolean certainlyNotDelivered(Throwable error) {
        Throwable cause = unwrap(error);
        return cause instanceof PeerCallException call && call.delivery() == PeerCallException.Delivery.NOT_DELIVERED;
    }

    /** The failure inside the wrappers a future adds. */
    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
