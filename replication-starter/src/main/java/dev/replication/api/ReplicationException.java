package dev.replication.api;

import org.jspecify.annotations.Nullable;

/**
 * The base of every exception a replicated map throws. Unchecked. The message says what went
 * wrong and what to do; the subclass says whether the operation took effect.
 */
public class ReplicationException extends RuntimeException {

    public ReplicationException(String message) {
        super(message);
    }

    public ReplicationException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
